namespace Neon.Tenancy;

/// <summary>Consumption history per tenant, mapped back from Neon's project ids.</summary>
/// <param name="From">Start of the window as requested.</param>
/// <param name="To">End of the window as requested.</param>
/// <param name="Granularity">The time step.</param>
/// <param name="Metrics">The metrics read.</param>
/// <param name="Tenants">One entry per tenant with a project, ordered by tenant id; a project Neon reported nothing for has no timeframes.</param>
/// <param name="TenantsWithoutProject">Requested tenants that have no Neon project yet (reported, not dropped).</param>
public sealed record UsageHistory(
    DateTimeOffset From,
    DateTimeOffset To,
    UsageGranularity Granularity,
    IReadOnlyList<UsageMetric> Metrics,
    IReadOnlyList<TenantUsageHistory> Tenants,
    IReadOnlyList<TenantId> TenantsWithoutProject);
