namespace Neon.Tenancy;

/// <summary>What <see cref="IPlanLimits.ReconcileAsync"/> did.</summary>
/// <param name="Checked">How many tenants were checked.</param>
/// <param name="Drifted">The tenants whose projects differed from their plans, with the differences found.</param>
/// <param name="Fixed">The tenants brought back in line.</param>
/// <param name="Failed">The tenants that could not be checked or fixed, with the error's message (never a secret).</param>
public sealed record PlanReconcileReport(
    int Checked,
    IReadOnlyList<TenantPlanDrift> Drifted,
    IReadOnlyList<TenantId> Fixed,
    IReadOnlyDictionary<TenantId, string> Failed);
