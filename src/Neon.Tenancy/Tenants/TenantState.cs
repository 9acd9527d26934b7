namespace Neon.Tenancy;

/// <summary>The lifecycle state of a tenant in the catalog.</summary>
public enum TenantState
{
    /// <summary>Reserved; its Neon project is being created. The state of every new reservation.</summary>
    Provisioning = 1,

    /// <summary>Provisioned and serving connections.</summary>
    Ready = 2,

    /// <summary>Provisioned but deliberately not serving (for example by quota).</summary>
    Suspended = 3,

    /// <summary>Its Neon project is being deleted.</summary>
    Deleting = 4,

    /// <summary>Its Neon project is deleted (it may still be recoverable within Neon's recovery window).</summary>
    Deleted = 5,

    /// <summary>Provisioning or another lifecycle step failed and needs attention or a retry.</summary>
    Failed = 6,
}
