using Npgsql;
using NpgsqlTypes;

namespace Neon.Tenancy;

/// <summary>
/// The <see cref="IFleetLedger"/> of <c>UsePostgresCatalog()</c>: the tables <c>fleet_runs</c> and <c>fleet_tenants</c>
/// of the catalog schema (its version 5), over the catalog's data source and clock, so every instance sharing the
/// catalog shares the runs. Values always travel as parameters; the schema is the catalog's validated identifier.
/// </summary>
/// <remarks>
/// <para>A claim is one statement: it share-locks the run row (so it waits for a concurrent end or reopen of the run and
/// then sees its outcome), reads the current wave, and takes the wave's claimable rows with <c>FOR UPDATE SKIP LOCKED</c>:
/// concurrent claimers skip each other's rows, and a row another claimer took in between is re-checked on its new
/// version (running, its lease not passed) and left out. Times are the catalog clock's, passed as parameters, never the
/// database's <c>now()</c>.</para>
/// <para>Lock order: the run row before its tenant rows wherever a statement takes both (claim, reopen, delete), and a
/// claim never waits for a tenant row (it skips locked ones), so the ledger's statements do not deadlock each other.</para>
/// </remarks>
internal sealed partial class PostgresFleetLedger : IFleetLedger
{
    private const string RunColumns = "run_id, work, waves, state, halt_reason, created_at, updated_at";
    private const string EntryColumns = "tenant_id, wave, state, attempts, description, error, started_at, ended_at, owner, lease_until, not_before";

    private readonly PostgresTenantCatalog _catalog;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly string _createRun, _copyEntries, _getRun, _getEntries, _count, _claim, _renew, _finish, _endRun, _reopen, _deleteRun;

    /// <summary>A ledger in <paramref name="catalog"/>'s database and schema, created or upgraded with it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is null.</exception>
    public PostgresFleetLedger(PostgresTenantCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _dataSource = catalog.DataSource;
        _time = catalog.TimeProvider;
        var runs = $"\"{catalog.Sql.Schema}\".fleet_runs";
        var tenants = $"\"{catalog.Sql.Schema}\".fleet_tenants";

        _createRun =
            $"INSERT INTO {runs} ({RunColumns}) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (run_id) DO NOTHING RETURNING {RunColumns}";
        _copyEntries = $"COPY {tenants} (run_id, {EntryColumns}) FROM STDIN (FORMAT BINARY)";
        _getRun = $"SELECT {RunColumns} FROM {runs} WHERE run_id = $1";
        _getEntries = $"SELECT {EntryColumns} FROM {tenants} WHERE run_id = $1 ORDER BY wave, tenant_id";

        // The current wave is the lowest with an open (pending or running) entry, the run's wave count when none is left.
        _count =
            $"""
            WITH cw AS (
                SELECT coalesce((SELECT min(o.wave) FROM {tenants} o WHERE o.run_id = $1 AND o.state IN ('pending', 'running')), r.waves) AS wave
                FROM {runs} r WHERE r.run_id = $1
            )
            SELECT
                (count(*) FILTER (WHERE t.state = 'pending'))::int,
                (count(*) FILTER (WHERE t.state = 'running'))::int,
                (count(*) FILTER (WHERE t.state = 'succeeded'))::int,
                (count(*) FILTER (WHERE t.state = 'parked'))::int,
                (count(*) FILTER (WHERE t.state = 'skipped'))::int,
                (count(*) FILTER (WHERE t.state = 'deferred'))::int,
                (count(*) FILTER (WHERE t.state = 'pending' AND t.attempts > 0))::int,
                c.wave,
                min(t.not_before) FILTER (WHERE t.state = 'pending' AND t.wave = c.wave AND t.not_before > $2),
                min(t.lease_until) FILTER (WHERE t.state = 'running' AND t.wave = c.wave)
            FROM cw c LEFT JOIN {tenants} t ON t.run_id = $1
            GROUP BY c.wave
            """;

        // $1 run, $2 owner, $3 now, $4 max, $5 lease end. The EXISTS is a one-time filter evaluated before any tenant row
        // is read (the run lock first); the partial index yields the wave's open rows in tenant order (no sort).
        _claim =
            $"""
            WITH picked AS (
                SELECT t.tenant_id
                FROM {tenants} t
                WHERE t.run_id = $1
                  AND EXISTS (SELECT FROM {runs} r WHERE r.run_id = $1 AND r.state = 'running' FOR SHARE)
                  AND t.wave = (SELECT min(o.wave) FROM {tenants} o WHERE o.run_id = $1 AND o.state IN ('pending', 'running'))
                  AND t.state IN ('pending', 'running')
                  AND ((t.state = 'pending' AND (t.not_before IS NULL OR t.not_before <= $3))
                    OR (t.state = 'running' AND t.lease_until < $3))
                ORDER BY t.tenant_id
                LIMIT $4
                FOR UPDATE OF t SKIP LOCKED
            )
            UPDATE {tenants} t
            SET state = 'running', owner = $2, lease_until = $5, attempts = t.attempts + 1,
                started_at = coalesce(t.started_at, $3), not_before = NULL
            FROM picked p
            WHERE t.run_id = $1 AND t.tenant_id = p.tenant_id
            RETURNING {Qualified("t", EntryColumns)}
            """;
        _renew = $"UPDATE {tenants} SET lease_until = $3 WHERE run_id = $1 AND state = 'running' AND owner = $2";
        _finish =
            $"UPDATE {tenants} SET state = $4, error = $5, not_before = $6, ended_at = $7, owner = NULL, lease_until = NULL " +
            "WHERE run_id = $1 AND tenant_id = $2 AND state = 'running' AND owner = $3";
        _endRun =
            $"UPDATE {runs} SET state = $2, halt_reason = $3, updated_at = $4 WHERE run_id = $1 AND state = 'running' RETURNING {RunColumns}";

        // The run row first (the lock order of the claim), then its parked entries when $2.
        _reopen =
            $"""
            WITH reopened AS (
                UPDATE {runs} SET state = 'running', halt_reason = NULL, updated_at = $3 WHERE run_id = $1 RETURNING {RunColumns}
            ), requeued AS (
                UPDATE {tenants} t SET state = 'pending', attempts = 0, ended_at = NULL, not_before = NULL
                FROM reopened WHERE $2 AND t.run_id = reopened.run_id AND t.state = 'parked'
            )
            SELECT {RunColumns} FROM reopened
            """;
        _deleteRun = $"DELETE FROM {runs} WHERE run_id = $1";
    }

    /// <inheritdoc/>
    public async Task<(FleetLedgerRun Run, bool Created)> CreateRunAsync(FleetLedgerRun run, IReadOnlyList<FleetLedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId, nameof(run));
        FleetLedgerRules.RequireRecordable(run.State, nameof(run));
        FleetLedgerRules.ValidateEntries(entries);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    FleetLedgerRun? created;
                    using (var insert = new NpgsqlCommand(_createRun, connection, transaction))
                    {
                        PostgresCatalogRows.AddText(insert, run.RunId);
                        PostgresCatalogRows.AddText(insert, run.Work);
                        AddInteger(insert, run.Waves);
                        PostgresCatalogRows.AddText(insert, RunState(run.State));
                        PostgresCatalogRows.AddText(insert, run.HaltReason);
                        AddTime(insert, CatalogRules.Now(_time));
                        created = await ReadRunAsync(insert, cancellationToken).ConfigureAwait(false);
                    }

                    if (created is not null)
                    {
                        await CopyEntriesAsync(connection, run.RunId, entries, cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return (created, true);
                    }
                }
            }

            // Recorded already (ON CONFLICT waited for a concurrent creator's commit): the stored run, in a new snapshot.
            if (await GetRunAsync(run.RunId, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return (stored, false);
            }

            // Deleted between the two statements: try again.
        }
    }

    /// <inheritdoc/>
    public async Task<FleetLedgerRun?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_getRun);
        PostgresCatalogRows.AddText(command, runId);
        return await ReadRunAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<FleetLedgerEntry>> GetEntriesAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_getEntries);
        PostgresCatalogRows.AddText(command, runId);
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<FleetLedgerCounts> CountAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_count);
        PostgresCatalogRows.AddText(command, runId);
        AddTime(command, CatalogRules.Now(_time));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new FleetLedgerCounts(0, 0, 0, 0, 0, 0, 0, 0, null, null);
            }

            return new FleetLedgerCounts(
                reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6),
                reader.GetInt32(7), NullableTime(reader, 8), NullableTime(reader, 9));
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<FleetLedgerEntry>> ClaimAsync(string runId, string owner, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (max <= 0)
        {
            return [];
        }

        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var now = CatalogRules.Now(_time);
        using var command = _dataSource.CreateCommand(_claim);
        PostgresCatalogRows.AddText(command, runId);
        PostgresCatalogRows.AddText(command, owner);
        AddTime(command, now);
        AddInteger(command, max);
        AddTime(command, CatalogRules.Truncate(now + lease));
        var claimed = await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);

        // RETURNING follows the join, not the picked order.
        claimed.Sort(static (a, b) => string.CompareOrdinal(a.TenantId.Value, b.TenantId.Value));
        return claimed;
    }

    /// <inheritdoc/>
    public async Task<int> RenewAsync(string runId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_renew);
        PostgresCatalogRows.AddText(command, runId);
        PostgresCatalogRows.AddText(command, owner);
        AddTime(command, CatalogRules.Truncate(CatalogRules.Now(_time) + lease));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> FinishAsync(string runId, TenantId tenantId, string owner, FleetTenantState state, string? error, DateTimeOffset? notBefore,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        ArgumentException.ThrowIfNullOrEmpty(owner);
        FleetLedgerRules.RequireDefined(state, nameof(state));
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var retry = state == FleetTenantState.Pending;
        using var command = _dataSource.CreateCommand(_finish);
        PostgresCatalogRows.AddText(command, runId);
        PostgresCatalogRows.AddText(command, tenantId.Value);
        PostgresCatalogRows.AddText(command, owner);
        PostgresCatalogRows.AddText(command, EntryState(state));
        PostgresCatalogRows.AddText(command, error);
        AddTime(command, retry && notBefore is { } at ? CatalogRules.Truncate(at) : null);
        AddTime(command, retry ? null : CatalogRules.Now(_time));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc/>
    public async Task<FleetLedgerRun> EndRunAsync(string runId, FleetRunState state, string? haltReason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        FleetLedgerRules.RequireRecordable(state, nameof(state));
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using (var command = _dataSource.CreateCommand(_endRun))
        {
            PostgresCatalogRows.AddText(command, runId);
            PostgresCatalogRows.AddText(command, RunState(state));
            PostgresCatalogRows.AddText(command, haltReason);
            AddTime(command, CatalogRules.Now(_time));
            if (await ReadRunAsync(command, cancellationToken).ConfigureAwait(false) is { } ended)
            {
                return ended;
            }
        }

        // Not running (or not recorded): as it is, read in a new snapshot (after a concurrent change it waited for).
        return await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw FleetLedgerRules.RunNotFound(runId);
    }

    /// <inheritdoc/>
    public async Task<FleetLedgerRun> ReopenAsync(string runId, bool requeueParked, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_reopen);
        PostgresCatalogRows.AddText(command, runId);
        command.Parameters.Add(new NpgsqlParameter { Value = requeueParked, NpgsqlDbType = NpgsqlDbType.Boolean });
        AddTime(command, CatalogRules.Now(_time));
        return await ReadRunAsync(command, cancellationToken).ConfigureAwait(false) ?? throw FleetLedgerRules.RunNotFound(runId);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await _catalog.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_deleteRun);
        PostgresCatalogRows.AddText(command, runId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
