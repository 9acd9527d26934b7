using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The <see cref="IWarmPoolStore"/> of <c>UsePostgresCatalog()</c>: the table <c>warm_pool</c> of the catalog schema
/// (its version 6), over the catalog's data source and clock, so every instance sharing the catalog shares the pool.
/// Values always travel as parameters; the schema is the catalog's validated identifier.
/// </summary>
/// <remarks>
/// <para>A claim is one transaction: the oldest fitting ready row, taken <c>FOR UPDATE SKIP LOCKED</c> (concurrent
/// claimers skip each other's rows; a row another claimer took and committed meanwhile is re-checked on its new
/// version and left out), then the tenant's row by the catalog's own update statement (its optimistic version check and
/// its change trigger, whose notification goes out at commit), then the entry's row. Lock order: the entry's row before
/// the tenant's; nothing takes a tenant's row and then an entry's, so claims do not deadlock with catalog updates.</para>
/// <para>Times are the catalog clock's, passed as parameters, never the database's <c>now()</c>.</para>
/// </remarks>
internal sealed partial class PostgresWarmPoolStore : IWarmPoolStore
{
    private readonly PostgresTenantCatalog _catalog;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly string _add, _update, _remove, _list, _getClaim, _pick, _markClaimed;

    /// <summary>A store in <paramref name="catalog"/>'s database and schema, created or upgraded with it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is null.</exception>
    public PostgresWarmPoolStore(PostgresTenantCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _dataSource = catalog.DataSource;
        _time = catalog.TimeProvider;
        var pool = $"\"{catalog.Sql.Schema}\".warm_pool";

        // $1 to $19 the entry's fields (AddFields), $20 the time.
        _add =
            $"INSERT INTO {pool} ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, 1) " +
            $"ON CONFLICT (entry_id) DO NOTHING RETURNING {Columns}";
        _update =
            $"UPDATE {pool} SET region = $2, plan_class = $3, state = $4, project_name = $5, project_id = $6, neon_region = $7, branch_id = $8, " +
            "endpoint_id = $9, database_name = $10, role_name = $11, app_role_name = $12, pooled_secret = $13, direct_secret = $14, " +
            "app_pooled_secret = $15, app_direct_secret = $16, schema_version = $17, claimed_by = $18, failure_reason = $19, updated_at = $20, " +
            $"row_version = row_version + 1 WHERE entry_id = $1 AND row_version = $21 RETURNING {Columns}";
        _remove = $"DELETE FROM {pool} WHERE entry_id = $1";
        _list = $"SELECT {Columns} FROM {pool} ORDER BY created_at, entry_id";
        _getClaim = $"SELECT {Columns} FROM {pool} WHERE claimed_by = $1 AND state = 'claimed'";

        // $1 region, $2 plan class, $3 minimum schema version, $4 database, $5 role, $6 application role (null = none).
        // The claim index yields the pool's ready rows oldest first; the other criteria filter them.
        _pick =
            $"""
            SELECT {Columns}
            FROM {pool}
            WHERE state = 'ready' AND region = $1 AND plan_class = $2 AND schema_version >= $3
              AND database_name = $4 AND role_name = $5 AND app_role_name IS NOT DISTINCT FROM $6::text
            ORDER BY created_at, entry_id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """;
        _markClaimed =
            $"UPDATE {pool} SET state = 'claimed', claimed_by = $2, updated_at = $3, row_version = row_version + 1 WHERE entry_id = $1 RETURNING {Columns}";
    }

    /// <inheritdoc/>
    public async Task<WarmPoolEntry> AddAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.Validate(entry);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_add);
        AddFields(command, entry);
        AddTime(command, CatalogRules.Now(_time));
        return await ReadClaimCheckedAsync(command, entry.ClaimedBy, cancellationToken).ConfigureAwait(false) ?? throw WarmPoolStoreRules.Exists(entry.Id);
    }

    /// <inheritdoc/>
    public async Task<WarmPoolEntry> UpdateAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.Validate(entry);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_update);
        AddFields(command, entry);
        AddTime(command, CatalogRules.Now(_time));
        AddVersion(command, entry.Version);
        return await ReadClaimCheckedAsync(command, entry.ClaimedBy, cancellationToken).ConfigureAwait(false)
            ?? throw new WarmPoolConcurrencyException(entry.Id, entry.Version);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.RequireId(id, nameof(id));
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_remove);
        PostgresCatalogRows.AddText(command, id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WarmPoolEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_list);
        var entries = new List<WarmPoolEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(Map(reader));
            }
        }

        return entries;
    }

    /// <inheritdoc/>
    public async Task<WarmPoolEntry?> GetClaimAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_getClaim);
        PostgresCatalogRows.AddText(command, tenantId.Value);
        return await ReadEntryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<WarmPoolClaim?> ClaimAsync(WarmPoolClaimRequest request, CancellationToken cancellationToken = default)
    {
        WarmPoolStoreRules.Validate(request);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Disposed without a commit (no fitting entry, Bind or an update threw, cancellation): rolled back.
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                WarmPoolEntry? picked;
                using (var pick = new NpgsqlCommand(_pick, connection, transaction))
                {
                    PostgresCatalogRows.AddText(pick, request.Region);
                    PostgresCatalogRows.AddText(pick, request.PlanClass);
                    AddInteger(pick, request.MinimumSchemaVersion);
                    PostgresCatalogRows.AddText(pick, request.DatabaseName);
                    PostgresCatalogRows.AddText(pick, request.RoleName);
                    PostgresCatalogRows.AddText(pick, request.ApplicationRoleName);
                    picked = await ReadEntryAsync(pick, cancellationToken).ConfigureAwait(false);
                }

                if (picked is null)
                {
                    return null;
                }

                var record = WarmPoolStoreRules.Bind(request, picked);
                var stored = await _catalog.UpdateAsync(record, connection, transaction, cancellationToken).ConfigureAwait(false);
                WarmPoolEntry claimed;
                using (var mark = new NpgsqlCommand(_markClaimed, connection, transaction))
                {
                    PostgresCatalogRows.AddText(mark, picked.Id);
                    PostgresCatalogRows.AddText(mark, request.TenantId.Value);
                    AddTime(mark, CatalogRules.Now(_time));
                    claimed = await ReadClaimCheckedAsync(mark, request.TenantId, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Warm-pool entry '{picked.Id}' vanished while locked."); // a row lock held: cannot happen
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new WarmPoolClaim(claimed, stored);
            }
        }
    }
}
