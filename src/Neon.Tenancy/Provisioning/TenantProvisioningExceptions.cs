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
}

/// <summary>
/// Provisioning failed at a step. The catalog records the tenant as <see cref="TenantState.Failed"/> with a short
/// <see cref="TenantRecord.FailureReason"/> (the step and the kind of failure, never a secret) and the next <see cref="ITenantDatabaseProvider.ProvisionAsync"/> resumes; the inner exception says why.
/// </summary>
public sealed class TenantProvisioningException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="step">The step that failed.</param>
    /// <param name="innerException">The cause.</param>
    public TenantProvisioningException(TenantId tenantId, TenantProvisioningStep step, Exception innerException)
        : base($"Provisioning tenant '{tenantId}' failed at step {step}: {innerException?.Message}", innerException)
    {
        TenantId = tenantId;
        Step = step;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The step that failed.</summary>
    public TenantProvisioningStep Step { get; }
}

/// <summary>The tenant's lifecycle state does not allow the operation (for example provisioning a deleted tenant).</summary>
public sealed class TenantStateException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="operation">What was attempted.</param>
    public TenantStateException(TenantId tenantId, TenantState state, string operation)
        : this(tenantId, state, operation, reason: null)
    {
    }

    /// <summary>Creates the exception with the reason the state refuses the operation and what to do instead.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="reason">Why, and what to call instead; no secret. <see langword="null"/> for none.</param>
    public TenantStateException(TenantId tenantId, TenantState state, string operation, string? reason)
        : base($"Tenant '{tenantId}' is {state}: {operation} is not possible in that state" + (string.IsNullOrEmpty(reason) ? "." : $" ({reason})."))
    {
        TenantId = tenantId;
        State = state;
        Operation = operation;
    }

    /// <summary>What was attempted, for example <c>provisioning</c> or <c>recover</c>.</summary>
    public string Operation { get; }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The state that refused the operation.</summary>
    public TenantState State { get; }
}
