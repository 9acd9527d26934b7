namespace Neon.Tenancy;

/// <summary>
/// The warm pool's entries, kept in the tenant catalog's own store so that a claim binds a pool project to a tenant in
/// one transaction: <c>InMemoryWarmPoolStore</c> beside <see cref="InMemoryTenantCatalog"/>,
/// <c>PostgresWarmPoolStore</c> in the PostgreSQL catalog's schema (table <c>warm_pool</c>, catalog schema v6).
/// Thread-safe and, for PostgreSQL, safe between application instances.
/// </summary>
internal interface IWarmPoolStore
{
    /// <summary>Adds an entry (its <see cref="WarmPoolEntry.Version"/> becomes 1, its times the store's clock).</summary>
    /// <exception cref="InvalidOperationException">An entry with that id exists, or the entry's <see cref="WarmPoolEntry.ClaimedBy"/> is another entry's (a tenant claims one at most).</exception>
    /// <exception cref="ArgumentException">
    /// The id is not 1 to <see cref="WarmPoolEntry.MaxIdLength"/> characters of a-z and 0-9; the region or plan class is
    /// null or too long (<c>""</c> is valid); the project name, database name or role name is empty, or the project name too long.
    /// </exception>
    Task<WarmPoolEntry> AddAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Replaces an entry if its stored version still equals <paramref name="entry"/>'s; returns it with its new version.</summary>
    /// <exception cref="WarmPoolConcurrencyException">The stored version differs (a claim or another update came first) or the entry is gone.</exception>
    /// <exception cref="InvalidOperationException">The entry's <see cref="WarmPoolEntry.ClaimedBy"/> is another entry's.</exception>
    /// <exception cref="ArgumentException">A field breaks <see cref="AddAsync"/>'s rules.</exception>
    Task<WarmPoolEntry> UpdateAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes an entry; <see langword="false"/> when there was none.</summary>
    Task<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every entry, oldest first (<see cref="WarmPoolEntry.CreatedAt"/>, then id).</summary>
    Task<IReadOnlyList<WarmPoolEntry>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The entry the tenant claimed and has not finished claiming (state <see cref="WarmPoolEntryState.Claimed"/>), if any.</summary>
    Task<WarmPoolEntry?> GetClaimAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims one fitting <see cref="WarmPoolEntryState.Ready"/> entry for a tenant, in one transaction: the oldest entry
    /// of the request's region and plan class at <see cref="WarmPoolClaimRequest.MinimumSchemaVersion"/> or above with the
    /// same database, owner role and application role, skipping entries another claim holds; the tenant's record
    /// becomes <see cref="WarmPoolClaimRequest.Bind"/>'s (an optimistic update by version, as
    /// <see cref="ITenantCatalog.UpdateAsync"/>: change feed included) and the entry becomes
    /// <see cref="WarmPoolEntryState.Claimed"/> by the tenant. Either both happen or neither: no entry is ever claimed
    /// twice, by any number of instances.
    /// </summary>
    /// <returns>The claimed entry and the tenant's stored record; <see langword="null"/> when no entry fits.</returns>
    /// <exception cref="TenantConcurrencyException">The tenant's record changed since <see cref="WarmPoolClaimRequest.Bind"/>'s was read (nothing claimed).</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog (nothing claimed).</exception>
    /// <exception cref="InvalidOperationException">
    /// The tenant is the claimer of an entry already, or <see cref="WarmPoolClaimRequest.Bind"/> returned another tenant's
    /// record (nothing claimed). Whatever Bind throws propagates, nothing claimed.
    /// </exception>
    Task<WarmPoolClaim?> ClaimAsync(WarmPoolClaimRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What a claim asks for (see <see cref="IWarmPoolStore.ClaimAsync"/>).</summary>
/// <param name="TenantId">The tenant claiming.</param>
/// <param name="Region">The pool's region (<c>""</c> = requests without a region).</param>
/// <param name="PlanClass">The pool's plan class.</param>
/// <param name="MinimumSchemaVersion">The lowest schema version a claimable entry may have (the migrator's target).</param>
/// <param name="DatabaseName">The database name the entry must have.</param>
/// <param name="RoleName">The owner role the entry must have.</param>
/// <param name="ApplicationRoleName">The application role the entry must have (<see langword="null"/> = none).</param>
/// <param name="Bind">
/// Called inside the transaction with the entry chosen: returns the tenant's new record (its
/// <see cref="TenantRecord.Version"/> the one it was based on). Throwing rolls the claim back.
/// </param>
internal sealed record WarmPoolClaimRequest(
    TenantId TenantId,
    string Region,
    string PlanClass,
    int MinimumSchemaVersion,
    string DatabaseName,
    string RoleName,
    string? ApplicationRoleName,
    Func<WarmPoolEntry, TenantRecord> Bind);

/// <summary>A claim that happened: the entry (now <see cref="WarmPoolEntryState.Claimed"/>) and the tenant's stored record.</summary>
internal sealed record WarmPoolClaim(WarmPoolEntry Entry, TenantRecord Record);

/// <summary>A warm-pool entry changed (or went) since it was read: someone else's update or claim came first.</summary>
internal sealed class WarmPoolConcurrencyException(string entryId, long expectedVersion)
    : Exception($"Warm-pool entry '{entryId}' is no longer at version {expectedVersion}: it was claimed, changed or removed meanwhile.")
{
    /// <summary>The entry's id.</summary>
    public string EntryId { get; } = entryId;
}
