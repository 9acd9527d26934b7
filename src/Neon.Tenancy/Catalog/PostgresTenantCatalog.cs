using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Neon.Tenancy;

/// <summary>
/// An <see cref="ITenantCatalog"/> in a PostgreSQL database, safe to share between many application instances.
/// </summary>
/// <remarks>
/// <para>Schema: the catalog creates and upgrades its own tables (in <see cref="PostgresTenantCatalogOptions.Schema"/>)
/// the first time it is used, or at host start when registered with <c>UsePostgresCatalog()</c>. Upgrades are
/// versioned, idempotent and serialized across instances with a transaction-scoped advisory lock.</para>
/// <para>Concurrency: reservations are one <c>INSERT ... ON CONFLICT DO NOTHING</c>, so concurrent reservations of one
/// tenant produce one row; updates compare the row version in the <c>WHERE</c> clause.</para>
/// <para>Change feed: a trigger sends <c>NOTIFY</c> on every change; each instance keeps one direct connection
/// <c>LISTEN</c>ing and reconnects with exponential backoff after it drops. Each time it starts listening (the first
/// time too) it publishes <see cref="TenantChangeKind.Reset"/>, because changes committed while it was not listening
/// were not delivered. The listener runs from host start to host stop, or from the first subscription to disposal.</para>
/// </remarks>
public sealed partial class PostgresTenantCatalog : ITenantCatalog, IAsyncDisposable, IDisposable
{
    private readonly PostgresTenantCatalogOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly PostgresCatalogSql _sql;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TenantChangeDispatcher _changes;
    private readonly PostgresCatalogListener _listener;
    private readonly PostgresCatalogMigrator _migrator;
    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private volatile bool _initialized;
    private int _disposed;

    /// <summary>Creates a catalog over the configured database. Nothing connects until first use.</summary>
    /// <param name="options">The options (validated at start when registered through <c>AddNeonTenancy</c>).</param>
    /// <param name="timeProvider">The clock for created/updated times and reconnect delays.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="loggerFactory">The host's logger factory, which the catalog's Npgsql data sources log through; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The connection string or schema is missing or invalid.</exception>
    public PostgresTenantCatalog(IOptions<PostgresTenantCatalogOptions> options, TimeProvider timeProvider, ILogger<PostgresTenantCatalog> logger, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            throw new ArgumentException("NeonTenancy:Catalog:ConnectionString is required for the PostgreSQL tenant catalog.", nameof(options));
        }

        _sql = new PostgresCatalogSql(_options.Schema);
        _changes = new TenantChangeDispatcher(logger);
        _dataSource = CreateDataSource(_options.ConnectionString, loggerFactory);
        _listener = new PostgresCatalogListener(_options, _sql, _changes, timeProvider, logger, loggerFactory);
        _migrator = new PostgresCatalogMigrator(_dataSource, _sql, timeProvider, logger);
    }

    /// <summary>A data source of the SDK's own (catalog, listener, tenant lock) that logs through the host's logger factory.</summary>
    internal static NpgsqlDataSource CreateDataSource(string connectionString, ILoggerFactory? loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return builder.Build();
    }

    /// <summary>
    /// The direct endpoint of a Neon pooled host ("ep-x-pooler.region..." -> "ep-x.region..."), any other host unchanged:
    /// session features (LISTEN, session advisory locks) do not survive PgBouncer's transaction mode.
    /// </summary>
    internal static string DirectHost(string host) => host.Replace("-pooler.", ".", StringComparison.OrdinalIgnoreCase);

    /// <summary>The catalog's data source, which tables of the catalog schema kept by other components (the fleet ledger) share.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The catalog's SQL: its schema, and the migrations that create every table of it.</summary>
    internal PostgresCatalogSql Sql => _sql;

    /// <summary>The catalog's clock.</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>The backend process id of the listener's current connection (for tests and diagnostics).</summary>
    internal int? ListenerProcessId => _listener.ListenerProcessId;

    /// <summary>
    /// Creates or upgrades the catalog's schema if needed. Idempotent and single-flight; every other method calls it
    /// implicitly, so calling it is only needed to fail fast (the hosted service does so at start).
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="NpgsqlException">The database is unreachable or the role may not create the schema.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initializeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await _migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initializeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<TenantReservationResult> ReserveAsync(TenantReservation reservation, CancellationToken cancellationToken = default)
    {
        CatalogRules.Validate(reservation);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            using (var insert = _dataSource.CreateCommand(_sql.Reserve))
            {
                PostgresCatalogRows.AddText(insert, reservation.TenantId.Value);
                PostgresCatalogRows.AddText(insert, reservation.Plan);
                PostgresCatalogRows.AddText(insert, reservation.ProjectName);
                PostgresCatalogRows.AddText(insert, reservation.Region);
                insert.Parameters.Add(new NpgsqlParameter { Value = CatalogRules.Now(_timeProvider), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                var created = await ReadSingleAsync(insert, cancellationToken).ConfigureAwait(false);
                if (created is not null)
                {
                    CatalogLog.Reserved(_logger, created.TenantId.Value);
                    return new TenantReservationResult(created, Created: true);
                }
            }

            // Someone else holds the row (ON CONFLICT waited for their commit); read it in a new snapshot.
            var existing = await GetCoreAsync(reservation.TenantId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return new TenantReservationResult(existing, Created: false);
            }

            // Removed between the two statements: try again.
        }
    }

    /// <inheritdoc/>
    public async Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await GetCoreAsync(tenantId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TenantPage> ListAsync(TenantQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.After();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_sql.List);
        PostgresCatalogRows.AddText(command, query.State is { } state ? TenantStates.ToStorage(state) : null);
        PostgresCatalogRows.AddText(command, query.Plan);
        PostgresCatalogRows.AddText(command, after?.Value);
        command.Parameters.Add(new NpgsqlParameter { Value = query.PageSize + 1, NpgsqlDbType = NpgsqlDbType.Integer });

        var items = new List<TenantRecord>(Math.Min(query.PageSize + 1, 128));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(PostgresCatalogRows.Map(reader));
            }
        }

        string? token = null;
        if (items.Count > query.PageSize)
        {
            items.RemoveAt(items.Count - 1);
            token = items[^1].TenantId.Value;
        }

        return new TenantPage(items, token);
    }

    /// <inheritdoc/>
    public async Task<TenantRecord> UpdateAsync(TenantRecord record, CancellationToken cancellationToken = default)
    {
        CatalogRules.Validate(record);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await UpdateAsync(record, connection, transaction: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="UpdateAsync(TenantRecord, CancellationToken)"/> on the caller's connection, in its transaction if it
    /// has one (tables of the catalog schema kept by other components change with a tenant's row in one transaction);
    /// the change trigger notifies when that transaction commits. The schema must be current (<see cref="EnsureInitializedAsync"/>).
    /// </summary>
    /// <exception cref="TenantNotFoundException">The record's tenant is not in the catalog.</exception>
    /// <exception cref="TenantConcurrencyException">The stored version differs from the record's.</exception>
    internal async Task<TenantRecord> UpdateAsync(TenantRecord record, NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        CatalogRules.Validate(record);
        using (var update = new NpgsqlCommand(_sql.Update, connection, transaction))
        {
            PostgresCatalogRows.AddUpdateParameters(update, record, CatalogRules.Now(_timeProvider));
            var updated = await ReadSingleAsync(update, cancellationToken).ConfigureAwait(false);
            if (updated is not null)
            {
                return updated;
            }
        }

        using var read = new NpgsqlCommand(_sql.GetVersion, connection, transaction);
        PostgresCatalogRows.AddText(read, record.TenantId.Value);
        var actual = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (actual is not long actualVersion)
        {
            throw new TenantNotFoundException(record.TenantId);
        }

        CatalogLog.UpdateConflict(_logger, record.TenantId.Value, record.Version, actualVersion);
        throw new TenantConcurrencyException(record.TenantId, record.Version, actualVersion);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_sql.Remove);
        PostgresCatalogRows.AddText(command, tenantId.Value);
        var removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        if (removed)
        {
            CatalogLog.Removed(_logger, tenantId.Value);
        }

        return removed;
    }

    /// <inheritdoc/>
    /// <remarks>Starts the change-feed listener if it is not running yet (and the catalog was not stopped).</remarks>
    public IDisposable SubscribeToChanges(Action<TenantChange> handler)
    {
        var subscription = _changes.Subscribe(handler);
        StartListening();
        return subscription;
    }

    /// <summary>Stops the listener and closes every connection. Idempotent.</summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _listener.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initializeGate.Dispose();
    }

    /// <summary>Synchronous disposal for containers that dispose synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Starts the change-feed listener (idempotent). Called at host start and by the first subscriber.</summary>
    internal void StartListening() => _listener.Start();

    /// <summary>Stops the listener for good (host stop or disposal).</summary>
    internal Task StopListeningAsync() => _listener.StopAsync();

    /// <summary>Completes when the listener is connected and LISTENing (for tests).</summary>
    internal Task WhenListeningAsync(CancellationToken cancellationToken) => _listener.WhenListeningAsync(cancellationToken);

    /// <summary>Parses a change notification's payload (see <see cref="PostgresCatalogListener"/>).</summary>
    internal static bool TryParseNotification(string payload, out TenantChange change) => PostgresCatalogListener.TryParseNotification(payload, out change);

    /// <summary>Completes when the schema is current (<see cref="InitializeAsync"/>, without the call once done).</summary>
    internal ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _initialized ? ValueTask.CompletedTask : new ValueTask(InitializeAsync(cancellationToken));

    private async Task<TenantRecord?> GetCoreAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        using var command = _dataSource.CreateCommand(_sql.Get);
        PostgresCatalogRows.AddText(command, tenantId.Value);
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TenantRecord?> ReadSingleAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgresCatalogRows.Map(reader) : null;
        }
    }
}
