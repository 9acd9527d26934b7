namespace Neon.Tenancy;

/// <summary>
/// Options of scheduled checkpoints (<see cref="TenantPlan.CheckpointInterval"/>), bound from the
/// <c>NeonTenancy:Checkpoints</c> configuration section and validated at start (a bad value fails the host start with a
/// message naming the setting).
/// </summary>
public sealed class TenantCheckpointOptions
{
    // Each rule is declared once, here, and checked by the generated TenantCheckpointOptionsValidator.
    private const string Path = NeonTenancySections.CheckpointsPath + ":";

    /// <summary>
    /// How often the scheduler looks for tenants whose plan's <see cref="TenantPlan.CheckpointInterval"/> has passed
    /// since their newest checkpoint. Each look runs on one application instance at a time (the others skip it) and
    /// reads the catalog once. Default 5 minutes; 1 minute to 1 day. A checkpoint is taken at most this long after it
    /// is due.
    /// </summary>
    [TimeSpanRange("00:01:00", "1.00:00:00", ErrorMessage = Path + "SchedulerPeriod must be between {1} and {2}.")]
    public TimeSpan SchedulerPeriod { get; set; } = TimeSpan.FromMinutes(5);
}
