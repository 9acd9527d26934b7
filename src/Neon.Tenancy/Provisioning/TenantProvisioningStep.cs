namespace Neon.Tenancy;

/// <summary>The provisioning step that failed.</summary>
public enum TenantProvisioningStep
{
    /// <summary>Reading or writing the catalog.</summary>
    Catalog = 1,

    /// <summary>Looking for a project an earlier attempt created.</summary>
    FindProject = 2,

    /// <summary>Creating the Neon project.</summary>
    CreateProject = 3,

    /// <summary>Waiting for Neon's operations.</summary>
    WaitForOperations = 4,

    /// <summary>Running the tenant initializer.</summary>
    Initialize = 5,

    /// <summary>Creating the least-privilege application role (or resetting its password) and reading its connection details.</summary>
    CreateApplicationRole = 6,

    /// <summary>Applying the application role's grants on the owner's direct connection.</summary>
    GrantApplicationRole = 7,

    /// <summary>Claiming a ready project from the warm pool (the catalog transaction that makes it the tenant's).</summary>
    ClaimPoolProject = 8,

    /// <summary>Giving a claimed pool project the tenant's plan and name.</summary>
    ApplyPlan = 9,

    /// <summary>Rotating a claimed pool project's credentials, so nothing issued before the claim still works.</summary>
    RotateCredentials = 10,
}
