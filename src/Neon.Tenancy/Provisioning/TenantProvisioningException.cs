namespace Neon.Tenancy;

/// <summary>
/// Provisioning failed at a step that is not Neon's (the catalog, the initializer, the application role's grants; a
/// Neon API failure escapes as its <see cref="Api.NeonApiException"/>, see <see cref="ITenantDatabaseProvider"/>). The catalog records the tenant as <see cref="TenantState.Failed"/> with a short
/// <see cref="TenantRecord.FailureReason"/> (the step and the kind of failure, never a secret) and the next <see cref="ITenantDatabaseProvider.ProvisionAsync"/> resumes; the inner exception says why, and <see cref="NeonTenancyException.IsTransient"/> is the cause's.
/// </summary>
public sealed class TenantProvisioningException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="step">The step that failed.</param>
    /// <param name="innerException">The cause.</param>
    public TenantProvisioningException(TenantId tenantId, TenantProvisioningStep step, Exception innerException)
        : base($"Provisioning tenant '{tenantId}' failed at step {step}: {innerException?.Message}", innerException, TransientFailures.IsTransient(innerException))
    {
        TenantId = tenantId;
        Step = step;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The step that failed.</summary>
    public TenantProvisioningStep Step { get; }
}
