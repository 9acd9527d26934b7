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
public sealed class PostgresTenantCatalog : ITenantCatalog, IAsyncDisposable, IDisposable
{
    private const string ListenerApplicationName = "Neon.Tenancy catalog listener";

    private readonly PostgresTenantCatalogOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly PostgresCatalogSql _sql;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _listenerDataSource;
    private readonly TenantChangeDispatcher _changes;
    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private readonly Lock _listenerGate = new();
    private volatile bool _initialized;
    private CancellationTokenSource? _listenerStop;
    private Task? _listenerTask;
    private TaskCompletionSource _listening = NewSignal();
    private bool _stopped;
    private int _disposed;

    /// <summary>Creates a catalog over the configured database. Nothing connects until first use.</summary>
    /// <param name="options">The options (validated at start when registered through <c>AddNeonTenancy</c>).</param>
    /// <param name="timeProvider">The clock for created/updated times and reconnect delays.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="ArgumentException">The connection string or schema is missing or invalid.</exception>
    public PostgresTenantCatalog(IOptions<PostgresTenantCatalogOptions> options, TimeProvider timeProvider, ILogger<PostgresTenantCatalog> logger)
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
        _dataSource = NpgsqlDataSource.Create(_options.ConnectionString);
        _listenerDataSource = NpgsqlDataSource.Create(ListenerConnectionString(_options));
    }

    /// <summary>The backend process id of the listener's current connection (for tests and diagnostics).</summary>
    internal int? ListenerProcessId { get; private set; }

    /// <summary>The options this catalog was created with (the provider takes its advisory-lock connection from them).</summary>
    internal PostgresTenantCatalogOptions Options => _options;

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
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
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
                AddText(insert, reservation.TenantId.Value);
                AddText(insert, reservation.Plan);
                AddText(insert, reservation.ProjectName);
                AddText(insert, reservation.Region);
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
        AddText(command, query.State is { } state ? TenantStates.ToStorage(state) : null);
        AddText(command, query.Plan);
        AddText(command, after?.Value);
        command.Parameters.Add(new NpgsqlParameter { Value = query.PageSize + 1, NpgsqlDbType = NpgsqlDbType.Integer });

        var items = new List<TenantRecord>(Math.Min(query.PageSize + 1, 128));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(Map(reader));
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
        using (var update = _dataSource.CreateCommand(_sql.Update))
        {
            AddText(update, record.TenantId.Value);
            AddText(update, TenantStates.ToStorage(record.State));
            AddText(update, record.Plan);
            AddText(update, record.ProjectName);
            AddText(update, record.ProjectId);
            AddText(update, record.Region);
            AddText(update, record.BranchId);
            AddText(update, record.EndpointId);
            AddText(update, record.DatabaseName);
            AddText(update, record.RoleName);
            update.Parameters.Add(new NpgsqlParameter { Value = record.SchemaVersion, NpgsqlDbType = NpgsqlDbType.Integer });
            AddBytes(update, record.PooledConnectionSecret);
            AddBytes(update, record.DirectConnectionSecret);
            update.Parameters.Add(new NpgsqlParameter { Value = CatalogRules.Now(_timeProvider), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            update.Parameters.Add(new NpgsqlParameter { Value = record.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
            AddText(update, record.ApplicationRoleName);
            AddBytes(update, record.ApplicationPooledConnectionSecret);
            AddBytes(update, record.ApplicationDirectConnectionSecret);
            AddText(update, record.FailureReason);
            update.Parameters.Add(new NpgsqlParameter
            {
                Value = record.RecoverableUntil is { } until ? CatalogRules.Truncate(until) : DBNull.Value,
                NpgsqlDbType = NpgsqlDbType.TimestampTz,
            });
            var updated = await ReadSingleAsync(update, cancellationToken).ConfigureAwait(false);
            if (updated is not null)
            {
                return updated;
            }
        }

        using var read = _dataSource.CreateCommand(_sql.GetVersion);
        AddText(read, record.TenantId.Value);
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
        AddText(command, tenantId.Value);
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

        await StopListeningAsync().ConfigureAwait(false);
        await _listenerDataSource.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initializeGate.Dispose();
    }

    /// <summary>Synchronous disposal for containers that dispose synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Starts the change-feed listener (idempotent). Called at host start and by the first subscriber.</summary>
    internal void StartListening()
    {
        lock (_listenerGate)
        {
            if (_listenerTask is not null || _stopped)
            {
                return;
            }

            _listenerStop = new CancellationTokenSource();
            var stop = _listenerStop.Token;
            _listenerTask = Task.Run(() => ListenLoopAsync(stop), CancellationToken.None);
        }
    }

    /// <summary>Stops the listener for good (host stop or disposal).</summary>
    internal async Task StopListeningAsync()
    {
        Task? task;
        CancellationTokenSource? stop;
        lock (_listenerGate)
        {
            _stopped = true;
            task = _listenerTask;
            stop = _listenerStop;
            _listenerTask = null;
            _listenerStop = null;
        }

        if (stop is null || task is null)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await task.ConfigureAwait(false);
        stop.Dispose();
    }

    /// <summary>Completes when the listener is connected and LISTENing (for tests).</summary>
    internal Task WhenListeningAsync(CancellationToken cancellationToken) => Volatile.Read(ref _listening).Task.WaitAsync(cancellationToken);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string ListenerConnectionString(PostgresTenantCatalogOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ListenerConnectionString ?? options.ConnectionString)
        {
            // One long-lived session: no pool, so a dropped connection is really closed and a new one really opened.
            Pooling = false,
            ApplicationName = ListenerApplicationName,
        };
        if (options.ListenerConnectionString is null && builder.Host is { } host)
        {
            // Neon: LISTEN needs the direct endpoint, not PgBouncer ("ep-x-pooler.region..." -> "ep-x.region...").
            builder.Host = host.Replace("-pooler.", ".", StringComparison.OrdinalIgnoreCase);
        }

        return builder.ConnectionString;
    }

    private async Task ListenLoopAsync(CancellationToken stop)
    {
        var delay = _options.ListenerReconnectDelay;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = await _listenerDataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    using (var listen = new NpgsqlCommand(_sql.Listen, connection))
                    {
                        await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    ListenerProcessId = connection.ProcessID;
                    delay = _options.ListenerReconnectDelay;
                    CatalogLog.Listening(_logger, _sql.Channel);

                    // Anything committed while not listening was missed: tell subscribers to drop what they cached.
                    _changes.Publish(new TenantChange { Kind = TenantChangeKind.Reset });
                    Volatile.Read(ref _listening).TrySetResult();

                    while (true)
                    {
                        if (!await connection.WaitAsync(_options.ListenerKeepAliveInterval, stop).ConfigureAwait(false))
                        {
                            using var ping = new NpgsqlCommand("SELECT 1", connection);
                            await ping.ExecuteScalarAsync(stop).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The listener must survive any failure and reconnect.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ListenerProcessId = null;
                if (_listening.Task.IsCompleted)
                {
                    Volatile.Write(ref _listening, NewSignal());
                }

                CatalogLog.ListenerDisconnected(_logger, ex, delay);
                try
                {
                    await Task.Delay(delay, _timeProvider, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ListenerMaxReconnectDelay.Ticks));
            }
        }

        ListenerProcessId = null;
        CatalogLog.ListenerStopped(_logger);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!string.Equals(e.Channel, _sql.Channel, StringComparison.Ordinal))
        {
            return;
        }

        if (TryParseNotification(e.Payload, out var change))
        {
            _changes.Publish(change);
        }
        else
        {
            CatalogLog.MalformedNotification(_logger, e.Channel);
        }
    }

    internal static bool TryParseNotification(string payload, out TenantChange change)
    {
        change = null!;
        var parts = payload.Split('|', 6);
        if (parts.Length != 6 || parts[3].Length != 3
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || !TenantId.TryParse(parts[4], out var tenantId))
        {
            return false;
        }

        var kind = parts[0] switch
        {
            "R" => TenantChangeKind.Reserved,
            "U" => TenantChangeKind.Updated,
            "D" => TenantChangeKind.Removed,
            _ => (TenantChangeKind)0,
        };
        if (kind == 0)
        {
            return false;
        }

        TenantState state;
        try
        {
            state = TenantStates.FromStorage(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        change = new TenantChange
        {
            Kind = kind,
            TenantId = tenantId,
            Version = version,
            State = state,
            Plan = parts[5],
            StateChanged = parts[3][0] == '1',
            PlanChanged = parts[3][1] == '1',
            ConnectionChanged = parts[3][2] == '1',
        };
        return true;
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _initialized ? ValueTask.CompletedTask : new ValueTask(InitializeAsync(cancellationToken));

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var command = new NpgsqlCommand(_sql.LockMigrations, connection, transaction))
                {
                    AddText(command, _sql.Schema);
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, transaction, _sql.CreateSchema, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, _sql.CreateVersionTable, cancellationToken).ConfigureAwait(false);
                int current;
                using (var command = new NpgsqlCommand(_sql.ReadVersion, connection, transaction))
                {
                    current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                }

                if (current > _sql.LatestVersion)
                {
                    throw new InvalidOperationException(
                        $"The tenant catalog schema '{_sql.Schema}' is at version {current}, newer than this version of Neon.Tenancy supports ({_sql.LatestVersion}). Upgrade the package.");
                }

                for (var version = current + 1; version <= _sql.LatestVersion; version++)
                {
                    foreach (var statement in _sql.Migrations[version - 1])
                    {
                        await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                    }

                    using var record = new NpgsqlCommand(_sql.WriteVersion, connection, transaction);
                    record.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Integer });
                    record.Parameters.Add(new NpgsqlParameter { Value = CatalogRules.Now(_timeProvider), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (current < _sql.LatestVersion)
                {
                    CatalogLog.SchemaUpgraded(_logger, _sql.Schema, current, _sql.LatestVersion);
                }
                else
                {
                    CatalogLog.SchemaCurrent(_logger, _sql.Schema, current);
                }
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<TenantRecord?> GetCoreAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        using var command = _dataSource.CreateCommand(_sql.Get);
        AddText(command, tenantId.Value);
        return await ReadSingleAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TenantRecord?> ReadSingleAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Map(reader) : null;
        }
    }

    private static TenantRecord Map(NpgsqlDataReader reader) => new()
    {
        TenantId = TenantId.Parse(reader.GetString(0)),
        State = TenantStates.FromStorage(reader.GetString(1)),
        Plan = reader.GetString(2),
        ProjectName = NullableText(reader, 3),
        ProjectId = NullableText(reader, 4),
        Region = NullableText(reader, 5),
        BranchId = NullableText(reader, 6),
        EndpointId = NullableText(reader, 7),
        DatabaseName = NullableText(reader, 8),
        RoleName = NullableText(reader, 9),
        SchemaVersion = reader.GetInt32(10),
        PooledConnectionSecret = reader.IsDBNull(11) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(11),
        DirectConnectionSecret = reader.IsDBNull(12) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(12),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(13),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(14),
        Version = reader.GetInt64(15),
        ApplicationRoleName = NullableText(reader, 16),
        ApplicationPooledConnectionSecret = reader.IsDBNull(17) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(17),
        ApplicationDirectConnectionSecret = reader.IsDBNull(18) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(18),
        FailureReason = NullableText(reader, 19),
        RecoverableUntil = reader.IsDBNull(20) ? null : reader.GetFieldValue<DateTimeOffset>(20),
    };

    private static string? NullableText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void AddText(NpgsqlCommand command, string? value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });

    private static void AddBytes(NpgsqlCommand command, ReadOnlyMemory<byte> value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value.IsEmpty ? DBNull.Value : value.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
}
