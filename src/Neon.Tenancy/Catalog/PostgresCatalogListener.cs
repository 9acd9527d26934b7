using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The catalog's change feed: one direct, unpooled connection <c>LISTEN</c>ing on the schema's channel, reconnecting
/// with exponential backoff after it drops. Each time it starts listening (the first time too) it publishes
/// <see cref="TenantChangeKind.Reset"/>, because changes committed while it was not listening were not delivered.
/// </summary>
internal sealed class PostgresCatalogListener : IAsyncDisposable
{
    private const string ListenerApplicationName = "Neon.Tenancy catalog listener";

    private readonly PostgresTenantCatalogOptions _options;
    private readonly PostgresCatalogSql _sql;
    private readonly TenantChangeDispatcher _changes;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _listenerDataSource;
    private readonly Lock _listenerGate = new();
    private CancellationTokenSource? _listenerStop;
    private Task? _listenerTask;
    private TaskCompletionSource _listening = NewSignal();
    private bool _stopped;

    public PostgresCatalogListener(PostgresTenantCatalogOptions options, PostgresCatalogSql sql, TenantChangeDispatcher changes, TimeProvider timeProvider, ILogger logger, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _sql = sql;
        _changes = changes;
        _timeProvider = timeProvider;
        _logger = logger;
        _listenerDataSource = PostgresTenantCatalog.CreateDataSource(ListenerConnectionString(options), loggerFactory);
    }

    /// <summary>The backend process id of the listener's current connection (for tests and diagnostics).</summary>
    public int? ListenerProcessId { get; private set; }

    /// <summary>Starts the change-feed listener (idempotent). Called at host start and by the first subscriber.</summary>
    public void Start()
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
    public async Task StopAsync()
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
    public Task WhenListeningAsync(CancellationToken cancellationToken) => Volatile.Read(ref _listening).Task.WaitAsync(cancellationToken);

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
            builder.Host = PostgresTenantCatalog.DirectHost(host);
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

    /// <summary>Stops listening and closes the listener's connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _listenerDataSource.DisposeAsync().ConfigureAwait(false);
    }
}
