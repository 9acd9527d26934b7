namespace Neon.Tenancy;

/// <summary>
/// Neon refused a checkpoint: the project has as many snapshots as its Neon plan allows (Neon's documents disagree on
/// the number: 1 on the free plan, 10 or 100 on paid plans). Set the tenant's plan's
/// <see cref="TenantPlan.MaxCheckpoints"/> to what your Neon plan allows, so the oldest checkpoint is deleted first, or
/// delete one. Not transient. The inner exception is Neon's answer.
/// </summary>
public sealed class TenantCheckpointLimitException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="checkpoints">How many checkpoints the catalog records for it.</param>
    /// <param name="configuredLimit">Its plan's <see cref="TenantPlan.MaxCheckpoints"/>, if set.</param>
    /// <param name="errorCode">Neon's error code.</param>
    /// <param name="innerException">Neon's answer.</param>
    public TenantCheckpointLimitException(TenantId tenantId, int checkpoints, int? configuredLimit, string? errorCode, Exception? innerException = null)
        : base(
            $"Tenant '{tenantId}': Neon refused a checkpoint ({errorCode ?? "limit exceeded"}): the project holds as many snapshots as its Neon plan allows; "
            + $"the catalog records {checkpoints} checkpoint(s) and the plan's MaxCheckpoints is {(configuredLimit is { } limit ? limit.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not set")}. "
            + "Set MaxCheckpoints to what the Neon plan allows, or delete a checkpoint.",
            innerException)
    {
        TenantId = tenantId;
        Checkpoints = checkpoints;
        ConfiguredLimit = configuredLimit;
        ErrorCode = errorCode;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>How many checkpoints the catalog recorded for the tenant when Neon refused.</summary>
    public int Checkpoints { get; }

    /// <summary>The tenant's plan's <see cref="TenantPlan.MaxCheckpoints"/>; <see langword="null"/> when not set.</summary>
    public int? ConfiguredLimit { get; }

    /// <summary>Neon's error code (for example <c>SNAPSHOTS_LIMIT_EXCEEDED</c>).</summary>
    public string? ErrorCode { get; }
}
