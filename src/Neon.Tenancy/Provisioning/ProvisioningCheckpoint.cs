namespace Neon.Tenancy;

/// <summary>Where <see cref="TenantDatabaseProvider.Checkpoint"/> is called during provisioning (tests simulate crashes there).</summary>
internal enum ProvisioningCheckpoint
{
    /// <summary>Reserved and locked; no create sent yet.</summary>
    BeforeCreate,

    /// <summary>The create call answered; its result is not in the catalog yet.</summary>
    AfterCreate,

    /// <summary>Ids and secrets are in the catalog; the operations have not been waited for.</summary>
    AfterCatalogWrite,

    /// <summary>The operations ended; the initializer has not run.</summary>
    AfterWait,

    /// <summary>The application role exists (created, or its password reset) and its grants are applied; its secrets are not in the catalog yet.</summary>
    AfterApplicationRoleGrants,

    /// <summary>A pool project is claimed (the tenant's record holds it); its credentials, plan and name are still the pool's.</summary>
    AfterClaim,

    /// <summary>The claimed project's credentials are rotated; its plan and name are still the pool's.</summary>
    AfterClaimRotation,

    /// <summary>The claimed project has the tenant's plan and name; the tenant is not ready yet.</summary>
    AfterClaimPlan,

    /// <summary>The tenant is ready; the pool's entry for its project is not removed yet.</summary>
    AfterClaimReady,
}
