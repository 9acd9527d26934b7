namespace Neon.Tenancy;

/// <summary>The plans tenants can be on (<c>NeonTenancy:Plans</c>). Validated when the host starts.</summary>
public sealed class TenantPlanOptions
{
    /// <summary>The plan of a tenant provisioned without one, and the fallback for plan names no longer configured. Default <c>free</c>.</summary>
    public string DefaultPlan { get; set; } = "free";

    /// <summary>The plans by name (names compare ordinally, ignoring case). Must contain <see cref="DefaultPlan"/>.</summary>
    public IDictionary<string, TenantPlan> Plans { get; } = new Dictionary<string, TenantPlan>(StringComparer.OrdinalIgnoreCase);
}
