namespace Neon.Tenancy;

/// <summary>The catalog records no checkpoint with this id for the tenant (deleted, expired, or another tenant's).</summary>
public sealed class TenantCheckpointNotFoundException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="checkpointId">The checkpoint id asked for.</param>
    public TenantCheckpointNotFoundException(TenantId tenantId, string checkpointId)
        : base($"Tenant '{tenantId}' has no checkpoint '{checkpointId}' (deleted, expired by its plan's retention, or another tenant's).")
    {
        TenantId = tenantId;
        CheckpointId = checkpointId;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The checkpoint id asked for.</summary>
    public string CheckpointId { get; }
}
