namespace Neon.Tenancy;

/// <summary>
/// The <see cref="IWarmPoolStore"/> of <see cref="InMemoryTenantCatalog"/>: entries kept beside one catalog instance,
/// under the catalog's own lock, so a claim changes the entry and the tenant's record in one step (the record by the
/// catalog's update rules, change feed included). Nothing survives the process.
/// </summary>
/// <param name="catalog">The catalog whose tenants claim the entries.</param>
/// <param name="time">The clock for the entries' times (the catalog's, normally).</param>
internal sealed class InMemoryWarmPoolStore(InMemoryTenantCatalog catalog, TimeProvider time) : IWarmPoolStore
{
    /// <summary>The entries by id; read and written only under the catalog's lock.</summary>
    private readonly Dictionary<string, WarmPoolEntry> _entries = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<WarmPoolEntry> AddAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.Validate(entry);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(catalog.Locked(() =>
        {
            if (_entries.ContainsKey(entry.Id))
            {
                throw WarmPoolStoreRules.Exists(entry.Id);
            }

            RequireClaimFree(entry);
            var now = CatalogRules.Now(time);
            return _entries[entry.Id] = Stored(entry, now, now, version: 1);
        }));
    }

    /// <inheritdoc/>
    public Task<WarmPoolEntry> UpdateAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.Validate(entry);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(catalog.Locked(() =>
        {
            if (!_entries.TryGetValue(entry.Id, out var stored) || stored.Version != entry.Version)
            {
                throw new WarmPoolConcurrencyException(entry.Id, entry.Version);
            }

            RequireClaimFree(entry);
            return _entries[entry.Id] = Stored(entry, stored.CreatedAt, CatalogRules.Now(time), stored.Version + 1);
        }));
    }

    /// <inheritdoc/>
    public Task<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.RequireId(id, nameof(id));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(catalog.Locked(() => _entries.Remove(id)));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<WarmPoolEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entries = catalog.Locked(() => _entries.Values.ToList());
        entries.Sort(OldestFirst);
        return Task.FromResult<IReadOnlyList<WarmPoolEntry>>(entries);
    }

    /// <inheritdoc/>
    public Task<WarmPoolEntry?> GetClaimAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(catalog.Locked(() => _entries.Values.FirstOrDefault(e => e.State == WarmPoolEntryState.Claimed && e.ClaimedBy == tenantId)));
    }

    /// <inheritdoc/>
    /// <remarks>Under the catalog's lock: the oldest fitting entry, <see cref="WarmPoolClaimRequest.Bind"/>, the tenant's update, the entry's.</remarks>
    public Task<WarmPoolClaim?> ClaimAsync(WarmPoolClaimRequest request, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.Validate(request);
        cancellationToken.ThrowIfCancellationRequested();
        WarmPoolEntry? claimed = null;
        var record = catalog.Update(
            propose: () =>
            {
                WarmPoolEntry? oldest = null;
                foreach (var entry in _entries.Values)
                {
                    if (entry.ClaimedBy == request.TenantId)
                    {
                        throw WarmPoolStoreRules.ClaimHeld(request.TenantId);
                    }

                    if (Fits(entry, request) && (oldest is null || OldestFirst(entry, oldest) < 0))
                    {
                        oldest = entry;
                    }
                }

                claimed = oldest;
                return oldest is null ? null : WarmPoolStoreRules.Bind(request, oldest);
            },
            stored: _ =>
            {
                var entry = claimed!;
                claimed = _entries[entry.Id] = entry with
                {
                    State = WarmPoolEntryState.Claimed,
                    ClaimedBy = request.TenantId,
                    UpdatedAt = CatalogRules.Now(time),
                    Version = entry.Version + 1,
                };
            });
        return Task.FromResult(record is null ? null : new WarmPoolClaim(claimed!, record));
    }

    private static bool Fits(WarmPoolEntry entry, WarmPoolClaimRequest request) =>
        entry.State == WarmPoolEntryState.Ready
        && string.Equals(entry.Region, request.Region, StringComparison.Ordinal)
        && string.Equals(entry.PlanClass, request.PlanClass, StringComparison.Ordinal)
        && entry.SchemaVersion >= request.MinimumSchemaVersion
        && string.Equals(entry.DatabaseName, request.DatabaseName, StringComparison.Ordinal)
        && string.Equals(entry.RoleName, request.RoleName, StringComparison.Ordinal)
        && string.Equals(entry.ApplicationRoleName, request.ApplicationRoleName, StringComparison.Ordinal);

    private static int OldestFirst(WarmPoolEntry a, WarmPoolEntry b) =>
        a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id);

    /// <summary>The entry as stored: its own copies of the secrets (the caller's buffers may change), the store's times and version.</summary>
    private static WarmPoolEntry Stored(WarmPoolEntry entry, DateTimeOffset createdAt, DateTimeOffset updatedAt, long version) => entry with
    {
        PooledConnectionSecret = entry.PooledConnectionSecret.ToArray(),
        DirectConnectionSecret = entry.DirectConnectionSecret.ToArray(),
        ApplicationPooledConnectionSecret = entry.ApplicationPooledConnectionSecret.ToArray(),
        ApplicationDirectConnectionSecret = entry.ApplicationDirectConnectionSecret.ToArray(),
        CreatedAt = createdAt,
        UpdatedAt = updatedAt,
        Version = version,
    };

    /// <summary>At most one entry per claimer (the PostgreSQL store's unique index on <c>claimed_by</c>).</summary>
    private void RequireClaimFree(WarmPoolEntry entry)
    {
        if (entry.ClaimedBy is { } claimer && _entries.Values.Any(e => e.ClaimedBy == claimer && !string.Equals(e.Id, entry.Id, StringComparison.Ordinal)))
        {
            throw WarmPoolStoreRules.ClaimHeld(claimer);
        }
    }
}
