namespace Neon.Tenancy;

/// <summary>The tenant has no Neon project yet (still provisioning, or failed before a project existed), so it has no usage to read.</summary>
public sealed class TenantProjectMissingException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">Its state in the catalog.</param>
    public TenantProjectMissingException(TenantId tenantId, TenantState state)
        : base($"Tenant '{tenantId}' has no Neon project yet (state {state}); it has no usage to read.")
    {
        TenantId = tenantId;
        State = state;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>Its state in the catalog.</summary>
    public TenantState State { get; }
}
