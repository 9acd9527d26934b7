namespace Neon.Tenancy;

/// <summary>Every tenant's usage against its plan, from <see cref="IUsageClient.GetFleetUsageAgainstPlanAsync"/>.</summary>
/// <param name="Tenants">The tenants read, ordered by tenant id.</param>
/// <param name="TenantsWithoutProject">Tenants in the catalog that have no Neon project yet.</param>
/// <param name="Failed">Tenants that could not be read, with the error's message (never a secret).</param>
public sealed record FleetUsageAgainstPlan(
    IReadOnlyList<TenantUsageAgainstPlan> Tenants,
    IReadOnlyList<TenantId> TenantsWithoutProject,
    IReadOnlyDictionary<TenantId, string> Failed);
