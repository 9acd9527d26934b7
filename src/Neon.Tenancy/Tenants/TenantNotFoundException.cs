namespace Neon.Tenancy;

/// <summary>The tenant is not in the catalog.</summary>
public sealed class TenantNotFoundException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    public TenantNotFoundException(TenantId tenantId)
        : base($"Tenant '{tenantId}' is not in the catalog.")
    {
        TenantId = tenantId;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }
}
