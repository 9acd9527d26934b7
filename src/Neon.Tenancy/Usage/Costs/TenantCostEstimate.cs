namespace Neon.Tenancy;

/// <summary>One tenant's estimate.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Estimate">Its cost; public transfer charged in full (the included transfer is organization-wide, see <see cref="FleetCostEstimate.Total"/>).</param>
public sealed record TenantCostEstimate(TenantId TenantId, CostEstimate Estimate);
