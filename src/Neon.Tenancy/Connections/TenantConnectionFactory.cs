using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="ITenantConnectionFactory"/>: the hit path, and the three parts it delegates to when a hit is
/// not enough: the data sources (<see cref="TenantDataSourceCache"/>: bounded LRU, single-flight builds, eviction, idle
/// expiry), the global budget of physical connections (<see cref="TenantConnectionBudget"/>, absent when
/// <see cref="TenantConnectionOptions.ConnectionBudget"/> is 0) and the open recovery (<see cref="TenantOpenRecovery"/>:
/// cold-start retry and the authentication reload).
/// </summary>
/// <remarks>
/// Two hit paths. With a budget: lookup, the entry's lock-free acquire (reference count and budget slot), Npgsql's
/// open, a close hook. Without: lookup and Npgsql's open. Both add no async frame of ours when Npgsql completes
/// synchronously (an idle pooled connection) and read no clock unless the open-duration histogram is listened to.
/// </remarks>
internal sealed class TenantConnectionFactory : ITenantConnectionFactory, ITenantConnectionStats, IAsyncDisposable, IDisposable
{
    /// <summary>A start timestamp not taken (the hit path reads no clock unless it must).</summary>
    internal const long NoTimestamp = long.MinValue;

    private readonly ConnectionMetrics _metrics;
    private readonly TenantDataSourceCache _cache;
    private readonly TenantConnectionBudget? _budget;
    private readonly TenantOpenRecovery _recovery;
    private int _disposed;

    public TenantConnectionFactory(
        ITenantCatalog catalog,
        IConnectionSecretProtector protector,
        IOptions<TenantConnectionOptions> options,
        TimeProvider timeProvider,
        PlanBook? plans = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        ITenantConnectionGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var o = options.Value;
        TimeProvider = timeProvider;
        var logger = CreateLogger(loggerFactory);
        var live = new ConcurrentDictionary<TenantDataSourceEntry, byte>();
        _metrics = new ConnectionMetrics(meterFactory, () => AliveDataSources);
        _budget = o.ConnectionBudget > 0 ? new TenantConnectionBudget(o.ConnectionBudget, o.BudgetWaitTimeout, live, _metrics, timeProvider, logger) : null;
        _cache = new TenantDataSourceCache(catalog, protector, plans, o, live, _budget, _metrics, timeProvider, loggerFactory, gate);
        _recovery = new TenantOpenRecovery(this, o, timeProvider, logger);
    }

    internal TimeProvider TimeProvider { get; }

    internal TimeSpan TrimPeriod => _cache.TrimPeriod;

    /// <summary>Whether the factory counts opens (a global budget is configured).</summary>
    internal bool CountsOpens => _budget is not null;

    /// <summary>Data sources built and not yet disposed.</summary>
    internal long AliveDataSources => _cache.Alive;

    /// <summary>Data sources built since the factory started.</summary>
    internal long BuiltDataSources => _cache.Built;

    /// <summary>Entries in the cache now.</summary>
    internal int CachedCount => _cache.Count;

    /// <summary>Budget slots free now (<see cref="int.MaxValue"/> without a budget).</summary>
    internal int FreeBudget => _budget?.Free ?? int.MaxValue;

    int ITenantConnectionStats.CachedDataSources => _cache.Count;

    int ITenantConnectionStats.CacheCapacity => _cache.Capacity;

    long ITenantConnectionStats.AliveDataSources => _cache.Alive;

    int? ITenantConnectionStats.ConnectionBudget => _budget?.Limit;

    int ITenantConnectionStats.ConnectionBudgetInUse => _budget is { } budget ? budget.Limit - budget.Free : 0;

    /// <summary>The cached entry of a tenant and kind, if any (tests).</summary>
    internal TenantDataSourceEntry? PeekEntry(TenantId tenantId, TenantConnectionKind kind) =>
        _cache.TryGet(new TenantConnectionKey(tenantId, kind), out var entry) ? entry : null;

    internal static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        (ILogger?)loggerFactory?.CreateLogger<TenantConnectionFactory>() ?? NullLogger.Instance;

    /// <summary>
    /// Opens a new unpooled connection outside the cache that holds a slot of the global budget until it is closed:
    /// the connections of a tenant's schema migration (session state of their own, counted like every other).
    /// </summary>
    /// <exception cref="TenantConnectionBudgetExceededException">No slot came free within the budget's wait timeout.</exception>
    internal async ValueTask<NpgsqlConnection> OpenBudgetedAsync(TenantId tenantId, string connectionString, CancellationToken cancellationToken)
    {
        var budget = _budget;
        if (budget is not null && !budget.TryTake())
        {
            await budget.WaitAsync(tenantId, cancellationToken).ConfigureAwait(false);
        }

        NpgsqlConnection connection;
        try
        {
            connection = await TenantConnectionStrings.OpenAsync(
                new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            budget?.Release(1);
            throw;
        }

        if (budget is not null)
        {
            // Npgsql raises StateChange on close, dispose and break alike (it has no Disposed event); the slot goes back once.
            var released = 0;
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref released, 1) == 0)
                {
                    budget.Release(1);
                }
            };
        }

        return connection;
    }

    /// <inheritdoc/>
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(TenantId tenantId, TenantConnectionKind kind = TenantConnectionKind.Pooled, CancellationToken cancellationToken = default)
    {
        // The hit path. A failed open reads the clock then: the open deadline counts from the first failure on a hit.
        var key = new TenantConnectionKey(tenantId, kind);
        if (_cache.TryGet(key, out var entry))
        {
            if (_budget is null)
            {
                // No budget: the lookup and Npgsql's open, written out here (no frame of ours when the pool has an idle
                // connection). Npgsql's open is an async method: its failures, a disposed source's included, come back in
                // the ValueTask, never thrown from this call, so no try block is needed. An eviction racing this open is
                // retried in AwaitOpenAsync.
                _metrics.Hit(kind);
                var start = StartTimestamp();
                var opening = entry.DataSource.OpenConnectionAsync(cancellationToken);
                if (opening.IsCompletedSuccessfully)
                {
                    Opened(entry, opening.Result, start);
                    return opening;
                }

                return AwaitOpenAsync(entry, opening, start, cancellationToken);
            }

            if (entry.TryAcquire(out var needSlot))
            {
                _metrics.Hit(kind);
                var start = StartTimestamp();
                return !needSlot || _budget.TryTake()
                    ? OpenOn(entry, start, cancellationToken)
                    : WaitForBudgetThenOpenAsync(entry, start, cancellationToken);
            }
        }

        return OpenAfterMissAsync(key, TimeProvider.GetTimestamp(), cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<NpgsqlDataSource> GetDataSourceAsync(TenantId tenantId, TenantConnectionKind kind = TenantConnectionKind.Pooled, CancellationToken cancellationToken = default)
    {
        var key = new TenantConnectionKey(tenantId, kind);
        while (true)
        {
            if (_cache.TryGet(key, out var entry))
            {
                _metrics.Hit(kind);
            }
            else
            {
                _metrics.Miss(kind);
                entry = await _cache.GetOrBuildAsync(key, cancellationToken).ConfigureAwait(false);
            }

            // No budget slot: see ITenantConnectionFactory.GetDataSourceAsync for why, and what that means.
            if (entry.TryMarkHandedOut(TimeProvider.GetTimestamp()))
            {
                return entry.DataSource;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long StartTimestamp() => _metrics.OpenDurationEnabled ? TimeProvider.GetTimestamp() : NoTimestamp;

    /// <summary>
    /// Opens on an entry (acquired, when opens are counted). When Npgsql completes synchronously (an idle pooled
    /// connection) no async frame of ours is added to its own; the recovery is entered only on a failure.
    /// </summary>
    internal ValueTask<NpgsqlConnection> OpenOn(TenantDataSourceEntry entry, long start, CancellationToken cancellationToken)
    {
        ValueTask<NpgsqlConnection> opening;
        try
        {
            opening = entry.DataSource.OpenConnectionAsync(cancellationToken);
        }
#pragma warning disable CA1031 // Not swallowed: handed to the awaiting path, which releases the entry and rethrows or retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            opening = ValueTask.FromException<NpgsqlConnection>(ex);
        }

        if (opening.IsCompletedSuccessfully)
        {
            Opened(entry, opening.Result, start);
            return opening; // Npgsql's own completed ValueTask, handed on as it is.
        }

        return AwaitOpenAsync(entry, opening, start, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<NpgsqlConnection> AwaitOpenAsync(TenantDataSourceEntry entry, ValueTask<NpgsqlConnection> opening, long start, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await opening.ConfigureAwait(false);
        }
        catch (ObjectDisposedException) when (_budget is null && entry.IsDisposed)
        {
            // No budget, so nothing kept the entry alive: it was evicted and disposed between the lookup and the open.
            // Look the tenant up again (a disposed entry is never in the cache).
            return await OpenAfterMissAsync(entry.Key, start == NoTimestamp ? TimeProvider.GetTimestamp() : start, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (TenantOpenRecovery.IsTransient(ex) || TenantOpenRecovery.IsAuthenticationFailure(ex)))
        {
            return await _recovery.RecoverAsync(entry, ex, start, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release(entry);
            throw;
        }

        Opened(entry, connection, start);
        return connection;
    }

    /// <summary>An open on <paramref name="entry"/> succeeded: track its close (with a budget) and record its duration.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Opened(TenantDataSourceEntry entry, NpgsqlConnection connection, long start)
    {
        if (_budget is null)
        {
            entry.Touch();
        }
        else
        {
            entry.Attach(connection);
        }

        if (start != NoTimestamp && _metrics.OpenDurationEnabled)
        {
            _metrics.Opened(entry.Key.Kind, TimeProvider.GetElapsedTime(start));
        }
    }

    /// <summary>Undoes an acquire whose open failed (nothing without a budget).</summary>
    internal void Release(TenantDataSourceEntry entry)
    {
        if (_budget is not null)
        {
            entry.Release();
        }
    }

    private async ValueTask<NpgsqlConnection> WaitForBudgetThenOpenAsync(TenantDataSourceEntry entry, long start, CancellationToken cancellationToken)
    {
        await WaitForSlotAsync(entry, cancellationToken).ConfigureAwait(false);
        return await OpenOn(entry, start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for a budget slot for an acquired entry; on failure (timeout, cancellation) the entry's claim on one is given up.</summary>
    private async ValueTask WaitForSlotAsync(TenantDataSourceEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await _budget!.WaitAsync(entry.Key.TenantId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            entry.AbandonSlot();
            throw;
        }
    }

    private async ValueTask<NpgsqlConnection> OpenAfterMissAsync(TenantConnectionKey key, long start, CancellationToken cancellationToken)
    {
        var entry = await AcquireEntryAsync(key, cancellationToken).ConfigureAwait(false);
        return await OpenOn(entry, start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Looks up (building if needed) an entry, and with a budget acquires it, slot included.</summary>
    internal async Task<TenantDataSourceEntry> AcquireEntryAsync(TenantConnectionKey key, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_cache.TryGet(key, out var entry))
            {
                _metrics.Hit(key.Kind);
            }
            else
            {
                _metrics.Miss(key.Kind);
                entry = await _cache.GetOrBuildAsync(key, cancellationToken).ConfigureAwait(false);
            }

            if (_budget is null)
            {
                if (entry.IsDisposed)
                {
                    continue; // evicted as it was built (the tenant changed meanwhile): build again
                }

                return entry;
            }

            if (!entry.TryAcquire(out var needSlot))
            {
                continue;
            }

            if (needSlot && !_budget.TryTake())
            {
                await WaitForSlotAsync(entry, cancellationToken).ConfigureAwait(false);
            }

            return entry;
        }
    }

    /// <summary>Takes an entry out of the cache (an authentication failure: the record is read again).</summary>
    internal void Invalidate(TenantDataSourceEntry entry) => _cache.Invalidate(entry);

    /// <summary>Drops a tenant's data sources (both kinds); open connections finish normally.</summary>
    internal void Evict(TenantId tenantId) => _cache.Evict(tenantId);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cache.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Disposing needs no I/O (Npgsql closes idle connections as each data source is disposed), so it completes at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }
}
