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
    /// snapshot is complete. An interrupted restore found on the tenant is finished first (so its errors may surface here).
    /// </summary>
    /// <param name="tenantId">The tenant (ready or suspended).</param>
    /// <param name="name">A name for people (1 to 256 characters; also the Neon snapshot's name).</param>
    /// <param name="metadata">What the checkpoint means to the product (an application version, a code revision): at most 32 entries, keys 1-64 characters, values at most 1,024. Never a secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recorded checkpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
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
    /// <exception cref="TenantStateException">A restore of this checkpoint is pending.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused the deletion.</exception>
    Task<bool> DeleteCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Restores the tenant to a checkpoint. <see cref="TenantRestoreMode.Finalize"/> (the default) finalizes at once, as
    /// Neon does: the snapshot becomes a new branch and the tenant's computes move onto it, so the tenant's branch id
    /// changes; the catalog records the new branch, its endpoint and Neon's connection strings for it, and the change
    /// feed makes every instance's connection layer drop its cached data sources. <see cref="TenantRestoreMode.Preview"/>
    /// stops at a preview branch of its own (<see cref="TenantRecord.PendingRestore"/>) while the tenant keeps serving
    /// its current data. The restore is recorded before Neon is asked: a call interrupted at any step is finished by the
    /// tenant's next restore call.
    /// </summary>
    /// <param name="tenantId">The tenant (ready or suspended).</param>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="mode">Finalize at once, or preview first.</param>
    /// <param name="cancellationToken">Cancels the call (the restore stays recorded and the next call finishes it).</param>
    /// <returns>The tenant's record: on its new branch, or with the preview in <see cref="TenantRecord.PendingRestore"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>, <paramref name="checkpointId"/> is blank or <paramref name="mode"/> is not defined.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant does not serve, or a preview is pending (finalize or discard it first).</exception>
    /// <exception cref="TenantCheckpointNotFoundException">The tenant has no checkpoint with this id.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused a call or an operation failed.</exception>
    Task<TenantRecord> RestoreCheckpointAsync(TenantId tenantId, string checkpointId, TenantRestoreMode mode = TenantRestoreMode.Finalize,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a connection (direct, owner role) to the pending restore preview: the checkpoint's state, while the tenant's
    /// own connections still see its current data. The caller owns and disposes it; it is outside the connection budget.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>An open connection to the preview branch.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">No preview is ready.</exception>
    /// <exception cref="Npgsql.NpgsqlException">The preview's compute did not accept the connection.</exception>
    Task<Npgsql.NpgsqlConnection> OpenPreviewConnectionAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finalizes the pending preview: Neon moves the tenant's computes onto the preview branch; the catalog, the
    /// connection secrets and every instance's cached data sources follow, as for <see cref="TenantRestoreMode.Finalize"/>.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call (the next call finishes what it started).</param>
    /// <returns>The tenant's record on its new branch.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant does not serve, or no preview is pending.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused a call or an operation failed.</exception>
    Task<TenantRecord> FinalizeRestoreAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Discards the pending preview: its branch is deleted; the tenant's data is as it was. Also the way out of an
    /// interrupted restore whose next call keeps failing: it is abandoned unfinished (a preview branch Neon made for it is
    /// deleted) and the catalog follows the branch Neon serves the tenant from.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call (the next call finishes what it started).</param>
    /// <returns>The tenant's record, with no restore pending.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant does not serve, or no restore is pending.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused the deletion.</exception>
    Task<TenantRecord> DiscardRestoreAsync(TenantId tenantId, CancellationToken cancellationToken = default);
}
