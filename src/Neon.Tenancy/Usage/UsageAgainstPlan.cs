namespace Neon.Tenancy;

/// <summary>A usage metric a plan can limit (Neon's <c>settings.quota</c>).</summary>
public enum UsageLimitMetric
{
    /// <summary>Active time per billing period (<c>active_time_seconds</c>), in seconds.</summary>
    ActiveTime,

    /// <summary>Compute time (CU-seconds) per billing period (<c>compute_time_seconds</c>).</summary>
    ComputeTime,

    /// <summary>Bytes written per billing period (<c>written_data_bytes</c>).</summary>
    WrittenData,

    /// <summary>Bytes transferred out per billing period (<c>data_transfer_bytes</c>).</summary>
    DataTransfer,

    /// <summary>Logical size of the tenant's branch in bytes (<c>logical_size_bytes</c>; not periodic).</summary>
    LogicalSize,
}

/// <summary>One limited metric against its plan limit, in Neon's units (seconds, CU-seconds or bytes).</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Used">The amount used this billing period (for <see cref="UsageLimitMetric.LogicalSize"/>: the current size).</param>
/// <param name="Limit">The plan's limit (always positive: unlimited metrics are not listed).</param>
public sealed record UsageLimit(UsageLimitMetric Metric, long Used, long Limit)
{
    /// <summary>Used as a percentage of the limit; above 100 when over.</summary>
    public double Percent => Used * 100.0 / Limit;

    /// <summary>What is left before the limit; 0 when reached or over.</summary>
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>Whether the limit is reached or passed: Neon suspends the project's computes (writes fail for logical size).</summary>
    public bool Exceeded => Used >= Limit;
}

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

/// <summary>Every tenant's usage against its plan, from <see cref="IUsageClient.GetFleetUsageAgainstPlanAsync"/>.</summary>
/// <param name="Tenants">The tenants read, ordered by tenant id.</param>
/// <param name="TenantsWithoutProject">Tenants in the catalog that have no Neon project yet.</param>
/// <param name="Failed">Tenants that could not be read, with the error's message (never a secret).</param>
public sealed record FleetUsageAgainstPlan(
    IReadOnlyList<TenantUsageAgainstPlan> Tenants,
    IReadOnlyList<TenantId> TenantsWithoutProject,
    IReadOnlyDictionary<TenantId, string> Failed);
