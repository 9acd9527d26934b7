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

    /// <summary>
    /// The most checkpoints a tenant keeps (1 to 1,000; client side): creating one more first deletes the oldest.
    /// <see langword="null"/> = no count limit of the SDK's (Neon's own per-plan snapshot limit still applies, and
    /// reaching it throws <see cref="TenantCheckpointLimitException"/>). Neon documents 1 on its free plan and 10 or 100 on
    /// paid plans: configure what your Neon plan allows.
    /// </summary>
    public int? MaxCheckpoints { get; set; }

    /// <summary>
    /// How long a checkpoint is kept (more than 0; client side): older ones are deleted when the tenant's next checkpoint
    /// is created. <see langword="null"/> = until deleted or pushed out by <see cref="MaxCheckpoints"/>.
    /// </summary>
    public TimeSpan? CheckpointRetention { get; set; }

    /// <summary>
    /// How often tenants on this plan get a scheduled checkpoint (at least 1 hour, the shortest interval of Neon's own
    /// backup schedule): the SDK's scheduler, on one application instance at a time, takes one when the tenant's newest
    /// checkpoint is this old, within <see cref="TenantCheckpointOptions.SchedulerPeriod"/>. Retention
    /// (<see cref="MaxCheckpoints"/>, <see cref="CheckpointRetention"/>) applies to them as to any checkpoint.
    /// <see langword="null"/> = no scheduled checkpoints.
    /// </summary>
    public TimeSpan? CheckpointInterval { get; set; }

    /// <summary>
    /// Whether Neon's own backup schedule keeps <see cref="CheckpointInterval"/> (Neon's paid plans have it) instead of
    /// the SDK's scheduler taking the snapshots: each tick the scheduler sets the schedule on every tenant's branch
    /// (hourly, daily at 00:00 UTC or weekly on Monday 00:00 UTC, kept for <see cref="CheckpointRetention"/>), records the
    /// snapshots Neon took as checkpoints, and forgets those Neon deleted. Neon takes them even while no instance runs.
    /// Requires a <see cref="CheckpointInterval"/> of 1 hour, 1 day or 7 days. Default <see langword="false"/>.
    /// </summary>
    public bool UseNeonBackupSchedule { get; set; }
}
