namespace Neon.Tenancy;

/// <summary>How a tenant's project differs from its plan.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Plan">The plan the catalog records.</param>
/// <param name="Differences">The settings that differ; empty when none.</param>
public sealed record TenantPlanDrift(TenantId TenantId, string Plan, IReadOnlyList<PlanSettingDifference> Differences)
{
    /// <summary>Whether any setting differs.</summary>
    public bool HasDrift => Differences.Count > 0;
}
