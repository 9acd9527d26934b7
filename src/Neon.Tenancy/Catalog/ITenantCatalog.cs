namespace Neon.Tenancy;

/// <summary>
/// The tenant catalog: the source of truth mapping each tenant to its Neon project, state, plan and encrypted
/// connection secrets. Implementations are thread-safe and safe to share between application instances.
/// </summary>
/// <remarks>
/// An implementation of your own can run the contract the built-in catalogs pass: the cases of
/// <c>Neon.Tenancy.Testing.TenantCatalogContract</c> (package Neon.Tenancy.Testing), under any test framework.
/// <para>Every method of the SDK's implementations may also throw what their store throws (for the PostgreSQL catalog,
/// <see cref="Npgsql.NpgsqlException"/> when the database is unreachable) and <see cref="OperationCanceledException"/>
/// when cancelled.</para>
/// </remarks>
public interface ITenantCatalog
{
    /// <summary>
    /// Inserts the tenant in <see cref="TenantState.Provisioning"/> if it is absent, otherwise returns the record that
    /// exists, unchanged. Concurrent calls for one tenant (from any number of instances) create exactly one record:
    /// the primitive that makes provisioning idempotent.
    /// </summary>
    /// <param name="reservation">The tenant, plan, region and project name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record and whether this call created it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reservation"/> is null.</exception>
    /// <exception cref="ArgumentException">The tenant id is <c>default(TenantId)</c> or the plan is empty or longer than 64 characters.</exception>
    Task<TenantReservationResult> ReserveAsync(TenantReservation reservation, CancellationToken cancellationToken = default);

    /// <summary>Reads one tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record, or <see langword="null"/> when the tenant is not in the catalog.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>Lists tenants one page at a time, ordered by tenant id, optionally filtered by state and plan.</summary>
    /// <param name="query">Filters, page size and continuation token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One page.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The page size is out of range.</exception>
    /// <exception cref="ArgumentException">The continuation token is not one this catalog produced.</exception>
    Task<TenantPage> ListAsync(TenantQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a tenant's record if its stored <see cref="TenantRecord.Version"/> still equals <paramref name="record"/>'s.
    /// <see cref="TenantRecord.CreatedAt"/> is kept; <see cref="TenantRecord.UpdatedAt"/> and the version are set by the catalog.
    /// </summary>
    /// <param name="record">The new content, carrying the version it was based on.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored record with its new version.</returns>
    /// <exception cref="TenantConcurrencyException">The stored version differs: someone else updated the tenant first.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="ArgumentException">The record's tenant id is <c>default(TenantId)</c>, its plan is empty or too long, its state is not defined or its version is below 1.</exception>
    Task<TenantRecord> UpdateAsync(TenantRecord record, CancellationToken cancellationToken = default);

    /// <summary>Removes a tenant's record (after its project is deleted; see <see cref="TenantState.Deleted"/>).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a record was removed; <see langword="false"/> when there was none.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<bool> RemoveAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a checkpoint of a tenant (once its Neon snapshot exists). Idempotent by checkpoint id: recording one that
    /// is already recorded returns the stored one, unchanged. <see cref="TenantCheckpoint.CreatedAt"/> is stored at
    /// microsecond precision. Removing the tenant removes its checkpoints.
    /// </summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored checkpoint.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="checkpoint"/> is null.</exception>
    /// <exception cref="ArgumentException">The tenant id is <c>default(TenantId)</c>, or the id, name or metadata break their limits (the message says which).</exception>
    Task<TenantCheckpoint> AddCheckpointAsync(TenantCheckpoint checkpoint, CancellationToken cancellationToken = default);

    /// <summary>A tenant's checkpoints, oldest first (by <see cref="TenantCheckpoint.CreatedAt"/>, then id).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The checkpoints; empty when it has none or is not in the catalog.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>Removes one checkpoint's record (after its Neon snapshot is deleted).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="checkpointId">The checkpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a record was removed; <see langword="false"/> when there was none.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c> or <paramref name="checkpointId"/> is blank or too long.</exception>
    Task<bool> RemoveCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to changes made through any catalog instance sharing this catalog's storage. The handler runs on a
    /// background thread, must be quick and should not throw (exceptions are logged and swallowed). After a
    /// <see cref="TenantChangeKind.Reset"/>, treat everything cached as stale.
    /// </summary>
    /// <param name="handler">Called once per change.</param>
    /// <returns>Dispose it to unsubscribe.</returns>
    IDisposable SubscribeToChanges(Action<TenantChange> handler);
}
