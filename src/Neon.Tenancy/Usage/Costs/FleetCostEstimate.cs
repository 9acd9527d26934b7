namespace Neon.Tenancy;

/// <summary>Estimates per tenant and for the whole fleet.</summary>
/// <param name="Tenants">Per tenant, ordered by tenant id.</param>
/// <param name="Total">
/// The fleet: quantities summed over every tenant, priced once, with the organization's included public transfer
/// (<see cref="NeonPriceOptions.IncludedPublicTransferGB"/>) subtracted once; so it can be less than the sum of the tenants' totals.
/// </param>
public sealed record FleetCostEstimate(IReadOnlyList<TenantCostEstimate> Tenants, CostEstimate Total);
