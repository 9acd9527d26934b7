namespace Neon.Tenancy;

/// <summary>
/// One plan's limits in the units people price plans in (bound from <c>NeonTenancy:Plans:Plans:{name}</c>). Every
/// member is optional: <see langword="null"/> leaves Neon's default (for quotas: unlimited). Sizes are in GB of
/// 10^9 bytes, the GB Neon bills in. <see cref="IPlanLimits.GetSettings(string)"/> turns a plan into the <see cref="TenantPlanSettings"/> sent to Neon.
/// </summary>
public sealed class TenantPlan
{
    /// <summary>Compute hours per billing period: active hours multiplied by compute units (Neon's <c>compute_time_seconds</c> quota).</summary>
    public double? ComputeHours { get; set; }

    /// <summary>Hours the compute may be active per billing period, whatever its size (Neon's <c>active_time_seconds</c> quota).</summary>
    public double? ActiveHours { get; set; }

    /// <summary>GB written per billing period (Neon's <c>written_data_bytes</c> quota).</summary>
    public double? WrittenGB { get; set; }

    /// <summary>GB transferred out per billing period (Neon's <c>data_transfer_bytes</c> quota).</summary>
    public double? TransferGB { get; set; }

    /// <summary>GB of data (logical size) per branch (Neon's <c>logical_size_bytes</c> quota; writes fail beyond it).</summary>
    public double? StorageGB { get; set; }

    /// <summary>The smallest compute size, in compute units (0.25 to 56, in Neon's steps).</summary>
    public double? MinComputeUnits { get; set; }

    /// <summary>The largest compute size, in compute units; at least <see cref="MinComputeUnits"/>.</summary>
    public double? MaxComputeUnits { get; set; }

    /// <summary>Idle time before the compute suspends: 60 s to 7 days, or <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    public TimeSpan? SuspendTimeout { get; set; }

    /// <summary>How far back point-in-time restore reaches (0 to 30 days, whole seconds).</summary>
    public TimeSpan? HistoryRetention { get; set; }

    /// <summary>The most physical connections the application's pool opens to one tenant database (client side, not sent to Neon).</summary>
    public int? MaxPoolSize { get; set; }
}
