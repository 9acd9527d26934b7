namespace Neon.Tenancy;

/// <summary>A tenant's current usage against its plan's limits.</summary>
/// <param name="Usage">The current-period counters.</param>
/// <param name="Plan">The plan the catalog records.</param>
/// <param name="Limits">Each metric the plan limits, in <see cref="UsageLimitMetric"/> order; empty when the plan limits none.</param>
public sealed record TenantUsageAgainstPlan(TenantUsage Usage, string Plan, IReadOnlyList<UsageLimit> Limits)
{
    /// <summary>The tenant.</summary>
    public TenantId TenantId => Usage.TenantId;

    /// <summary>Whether any limit is reached or passed.</summary>
    public bool AnyExceeded => Limits.Any(static l => l.Exceeded);
}
