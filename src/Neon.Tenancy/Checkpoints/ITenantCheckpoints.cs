namespace Neon.Tenancy;

/// <summary>
/// Checkpoints: named points a tenant can be restored to ("undo to this point"), each a Neon snapshot of the tenant's
/// branch recorded in the catalog with the caller's metadata. Reads go to the catalog only; changes go through the
/// tenant's lock and wait for the project's running operations, like every other lifecycle call.
/// </summary>
/// <remarks>
/// <para>Retention is per plan (<see cref="TenantPlan.MaxCheckpoints"/>, <see cref="TenantPlan.CheckpointRetention"/>):
/// creating a checkpoint first deletes the ones past their age, then the oldest beyond the count.</para>
/// <para>Errors: a failure of the Neon API escapes as the <see cref="Api.NeonApiException"/> subtype the API client
/// throws, unwrapped, except Neon's snapshot limit, which is <see cref="TenantCheckpointLimitException"/>.</para>
/// </remarks>
public interface ITenantCheckpoints
{
    /// <summary>
    /// Takes a checkpoint of the tenant's branch and records it with <paramref name="metadata"/>. Returns when Neon's
    /// snapshot is complete.
    /// </summary>
    /// <param name="tenantId">The tenant (ready or suspended).</param>
    /// <param name="name">A name for people (1 to 256 characters; also the Neon snapshot's name).</param>
    /// <param name="metadata">What the checkpoint means to the product (an application version, a code revision): at most 32 entries, keys 1-64 characters, values at most 1,024. Never a secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded checkpoint.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>, or the name or metadata break their limits (the message says which).</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant does not serve (not ready or suspended).</exception>
    /// <exception cref="TenantCheckpointLimitException">Neon's snapshot limit for the project's plan is reached.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused a call or an operation failed (a subtype names the reason).</exception>
    Task<TenantCheckpoint> CreateCheckpointAsync(TenantId tenantId, string name, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default);

    /// <summary>The tenant's checkpoints, oldest first, from the catalog (no Neon call).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoints; empty when it has none.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>One checkpoint, from the catalog (no Neon call).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoint, or <see langword="null"/> when the tenant has none with this id.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c> or <paramref name="checkpointId"/> is blank.</exception>
    Task<TenantCheckpoint?> GetCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a checkpoint: its Neon snapshot, then its record. Idempotent.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a checkpoint was deleted; <see langword="false"/> when the tenant had none with this id.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c> or <paramref name="checkpointId"/> is blank.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused the deletion.</exception>
    Task<bool> DeleteCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Restores the tenant to a checkpoint and finalizes at once, as Neon does: the snapshot becomes a new branch and the
    /// tenant's computes move onto it, so the tenant's branch id changes. The catalog records the new branch, endpoint and
    /// connection secrets; the change feed tells every instance's connection layer, which drops its cached data sources.
    /// The previous branch is kept in the project (Neon renames it). A call after an interrupted restore first brings the
    /// catalog to the branch Neon serves the tenant from.
    /// </summary>
    /// <param name="tenantId">The tenant (ready or suspended).</param>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant's record on its new branch.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c> or <paramref name="checkpointId"/> is blank.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant does not serve (not ready or suspended).</exception>
    /// <exception cref="TenantCheckpointNotFoundException">The tenant has no checkpoint with this id.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused a call or an operation failed.</exception>
    Task<TenantRecord> RestoreCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default);
}
