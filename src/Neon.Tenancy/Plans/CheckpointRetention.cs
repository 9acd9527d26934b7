namespace Neon.Tenancy;

/// <summary>
/// A plan's checkpoint settings, in one place: retention (<see cref="TenantPlan.MaxCheckpoints"/>,
/// <see cref="TenantPlan.CheckpointRetention"/>) and schedule (<see cref="TenantPlan.CheckpointInterval"/>).
/// </summary>
/// <param name="MaxCount">The most checkpoints kept; <see langword="null"/> for no count limit.</param>
/// <param name="MaxAge">How long one is kept; <see langword="null"/> for until deleted.</param>
/// <param name="Interval">How often one is taken by the scheduler; <see langword="null"/> for never.</param>
/// <param name="NeonSchedule">Whether Neon's backup schedule takes them (<see cref="TenantPlan.UseNeonBackupSchedule"/>).</param>
internal sealed record CheckpointRetention(int? MaxCount, TimeSpan? MaxAge, TimeSpan? Interval = null, bool NeonSchedule = false)
{
    public static readonly CheckpointRetention Unlimited = new(null, null);

    internal static CheckpointRetention Of(TenantPlan plan) =>
        new(plan.MaxCheckpoints, plan.CheckpointRetention, plan.CheckpointInterval, plan.UseNeonBackupSchedule && plan.CheckpointInterval is not null);

    /// <summary>Neon's backup schedule frequency for <see cref="Interval"/>: hourly, daily or weekly; null for any other interval.</summary>
    public string? NeonFrequency => Interval switch
    {
        { TotalHours: 1 } => "hourly",
        { TotalDays: 1 } => "daily",
        { TotalDays: 7 } => "weekly",
        _ => null,
    };
}
