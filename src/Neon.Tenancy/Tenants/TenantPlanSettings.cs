namespace Neon.Tenancy;

/// <summary>
/// Per-tenant limits applied in the project create call. Every member is optional; <see langword="null"/> leaves
/// Neon's default. Quotas of 0 mean unlimited (Neon's convention).
/// </summary>
public sealed record TenantPlanSettings
{
    /// <summary>Quota: compute active time per billing period, in seconds.</summary>
    public long? ActiveTimeSecondsQuota { get; init; }

    /// <summary>Quota: CPU seconds (CU-seconds) per billing period.</summary>
    public long? ComputeTimeSecondsQuota { get; init; }

    /// <summary>Quota: bytes written per billing period.</summary>
    public long? WrittenDataBytesQuota { get; init; }

    /// <summary>Quota: bytes transferred out per billing period.</summary>
    public long? DataTransferBytesQuota { get; init; }

    /// <summary>Quota: logical size of a branch, in bytes.</summary>
    public long? LogicalSizeBytesQuota { get; init; }

    /// <summary>The smallest compute size, in compute units (for example 0.25).</summary>
    public double? AutoscalingMinCu { get; init; }

    /// <summary>The largest compute size, in compute units.</summary>
    public double? AutoscalingMaxCu { get; init; }

    /// <summary>Idle time before the compute suspends: whole seconds from 60 s to 7 days; <see cref="Timeout.InfiniteTimeSpan"/> = never.</summary>
    public TimeSpan? SuspendTimeout { get; init; }

    /// <summary>How far back point-in-time restore can go (whole seconds).</summary>
    public TimeSpan? HistoryRetention { get; init; }

    /// <summary>The most physical connections the application's pool opens to the tenant's database (client side; not sent to Neon).</summary>
    public int? MaxPoolSize { get; init; }
}
