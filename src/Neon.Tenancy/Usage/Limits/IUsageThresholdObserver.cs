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
/// (<see cref="TenantUsageOptions.ThresholdPercent"/>) and once at <see cref="UsageThresholdLevel.Exceeded"/> (100 %); a read
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
