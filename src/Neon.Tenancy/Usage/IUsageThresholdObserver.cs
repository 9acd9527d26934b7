namespace Neon.Tenancy;

/// <summary>
/// Hears that a tenant approaches or reaches a plan limit, for example to bill an overage or send an e-mail. Register
/// any number in DI (<c>services.AddSingleton&lt;IUsageThresholdObserver, MyObserver&gt;()</c>); each is called in turn
/// by the read that sees the crossing. An observer's exception is logged and does not fail the read or stop the others.
/// </summary>
/// <remarks>
/// Crossings are detected by <see cref="IUsageClient.GetUsageAgainstPlanAsync"/> and
/// <see cref="IUsageClient.GetFleetUsageAgainstPlanAsync"/> by comparing with the previous read in this process. Each
/// tenant, metric and billing period notifies once per level: once at <see cref="UsageThresholdLevel.Approaching"/>
/// (<see cref="UsageOptions.ThresholdPercent"/>) and once at <see cref="UsageThresholdLevel.Exceeded"/> (100 %); a read
/// that jumps straight past 100 % notifies <see cref="UsageThresholdLevel.Exceeded"/> only. When usage falls back below
/// a level (the limit was raised) and crosses it again, it notifies again; a new billing period starts afresh. The
/// memory is per process: several application instances each notify.
/// </remarks>
public interface IUsageThresholdObserver
{
    /// <summary>Called once per crossing.</summary>
    /// <param name="crossing">What was crossed.</param>
    /// <param name="cancellationToken">The read's token.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnThresholdCrossedAsync(UsageThresholdCrossing crossing, CancellationToken cancellationToken);
}

/// <summary>How close to a limit a metric is.</summary>
public enum UsageThresholdLevel
{
    /// <summary>Below <see cref="UsageOptions.ThresholdPercent"/>.</summary>
    Normal,

    /// <summary>At or above <see cref="UsageOptions.ThresholdPercent"/>, below 100 %.</summary>
    Approaching,

    /// <summary>At or above 100 %: the limit is reached.</summary>
    Exceeded,
}

/// <summary>A tenant crossed a level of a plan limit.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Plan">Its plan.</param>
/// <param name="Level">The level reached.</param>
/// <param name="Limit">The metric, used amount and limit.</param>
/// <param name="ThresholdPercent">The configured approaching threshold, in percent.</param>
/// <param name="PeriodStart">Start of the billing period.</param>
/// <param name="PeriodEnd">End of the billing period.</param>
public sealed record UsageThresholdCrossing(
    TenantId TenantId,
    string Plan,
    UsageThresholdLevel Level,
    UsageLimit Limit,
    double ThresholdPercent,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd);
