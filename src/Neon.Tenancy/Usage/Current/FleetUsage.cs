namespace Neon.Tenancy;

/// <summary>The current-period usage of many tenants, read by <see cref="IUsageClient.GetFleetUsageAsync"/>, and its totals.</summary>
/// <param name="Tenants">Each tenant's usage, ordered by tenant id.</param>
/// <param name="Totals">The sum over <paramref name="Tenants"/>: the account-level view Neon no longer serves as one endpoint.</param>
/// <param name="TenantsWithoutProject">Tenants in the catalog that have no Neon project yet (nothing to read).</param>
/// <param name="Failed">Tenants whose counters could not be read, with the error's message (never a secret).</param>
public sealed record FleetUsage(
    IReadOnlyList<TenantUsage> Tenants,
    UsageTotals Totals,
    IReadOnlyList<TenantId> TenantsWithoutProject,
    IReadOnlyDictionary<TenantId, string> Failed);
