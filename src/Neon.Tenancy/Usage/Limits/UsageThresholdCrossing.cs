namespace Neon.Tenancy;

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
