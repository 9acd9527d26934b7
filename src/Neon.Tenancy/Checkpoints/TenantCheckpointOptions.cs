namespace Neon.Tenancy;

/// <summary>
/// Options of checkpoints: restores and the schedule (<see cref="TenantPlan.CheckpointInterval"/>), bound from the
/// <c>NeonTenancy:Checkpoints</c> configuration section and validated at start (a bad value fails the host start with a
/// message naming the setting).
/// </summary>
public sealed class TenantCheckpointOptions
{
    // Each rule is declared once, here, and checked by the generated TenantCheckpointOptionsValidator.
    private const string Path = NeonTenancySections.CheckpointsPath + ":";

    /// <summary>
    /// How often the scheduler looks for tenants whose plan's <see cref="TenantPlan.CheckpointInterval"/> has passed
    /// since their newest checkpoint. Each look runs on one application instance at a time (the others skip it),
    /// streams the catalog's Ready tenants and reads the checkpoints of those on a scheduled plan. Default 5 minutes; 1 minute to 1 day. A checkpoint is taken at most this long after it
    /// is due.
    /// </summary>
    [TimeSpanRange("00:01:00", "1.00:00:00", ErrorMessage = Path + "SchedulerPeriod must be between {1} and {2}.")]
    public TimeSpan SchedulerPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether the branch a tenant lived on before a finalized checkpoint restore is deleted once the catalog and every
    /// instance follow the new one. Default <see langword="false"/>: Neon's behaviour, the previous branch is kept
    /// (renamed) in the project, so the state before the restore can still be looked at or restored; it counts towards
    /// the project's branches and storage until deleted.
    /// </summary>
    public bool DeletePreviousBranch { get; set; }
}
