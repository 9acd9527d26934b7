namespace Neon.Tenancy;

/// <summary>Which of a tenant's roles the connection factory connects as (<see cref="TenantConnectionOptions.ConnectionRole"/>).</summary>
public enum TenantConnectionRole
{
    /// <summary>The application role when the tenant has one (<see cref="TenantProvisioningOptions.ApplicationRoleName"/>), otherwise the owner. The default.</summary>
    Automatic = 0,

    /// <summary>Always the owner role (for example for a migration host that needs DDL rights).</summary>
    Owner = 1,

    /// <summary>Always the least-privilege application role; a tenant without one cannot be connected to (<see cref="TenantStateException"/>, operation <c>connect</c>).</summary>
    Application = 2,
}
