using System.Collections.Concurrent;
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>
/// The connection factory's data sources: a bounded LRU (BitFaster.Caching <c>FastConcurrentLru</c>: no telemetry, so a
/// hit is a lookup with no interlocked counter) of <see cref="TenantDataSourceEntry"/>, single-flight builds from the
/// catalog on a miss, eviction on catalog changes, idle expiry by a timer on the injected <see cref="TimeProvider"/>,
/// and the set of entries still alive (cached, or evicted with connections open).
/// </summary>
internal sealed class TenantDataSourceCache : IDisposable
{
    private const int EpochStripes = 64;

    private readonly ITenantCatalog _catalog;
    private readonly ITenantConnectionGate? _gate;
    private readonly IConnectionSecretProtector _protector;
    private readonly PlanBook? _plans;
    private readonly TenantConnectionOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConnectionMetrics _metrics;
    private readonly TenantConnectionBudget? _budget;
    private readonly FastConcurrentLru<TenantConnectionKey, TenantDataSourceEntry> _cache;
    private readonly SingleFlight<TenantConnectionKey, TenantDataSourceEntry> _builds = new();
    private readonly ConcurrentDictionary<TenantDataSourceEntry, byte> _live;
    private readonly long[] _epochs = new long[EpochStripes];
    private readonly IDisposable _subscription;
    private readonly ITimer _trimTimer;
    private readonly CancellationTokenSource _disposing = new();
    private long _alive;
    private long _built;
    private int _disposed;

    /// <param name="catalog">Where a miss reads the tenant's record (and whose change feed evicts).</param>
    /// <param name="protector">Decrypts the connection secret.</param>
    /// <param name="plans">The plans (pool size, suspend timeout); <see langword="null"/> without plans.</param>
    /// <param name="options">The factory's options.</param>
    /// <param name="live">The entries built and not yet disposed (shared with the budget, which reclaims idle slots from them).</param>
    /// <param name="budget">The global budget that disposed entries give their slots back to; <see langword="null"/> when off.</param>
    /// <param name="metrics">The factory's instruments.</param>
    /// <param name="timeProvider">Idle expiry and grace periods.</param>
    /// <param name="loggerFactory">The host's logger factory (this class's logs and every data source's).</param>
    /// <param name="gate">What a tenant needs before its first connection (deferred migrations); none when <see langword="null"/>.</param>
    public TenantDataSourceCache(
        ITenantCatalog catalog,
        IConnectionSecretProtector protector,
        PlanBook? plans,
        TenantConnectionOptions options,
        ConcurrentDictionary<TenantDataSourceEntry, byte> live,
        TenantConnectionBudget? budget,
        ConnectionMetrics metrics,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory,
        ITenantConnectionGate? gate = null)
    {
        _gate = gate;
        _catalog = catalog;
        _protector = protector;
        _plans = plans;
        _options = options;
        _live = live;
        _budget = budget;
        _metrics = metrics;
        _loggerFactory = loggerFactory;
        _logger = TenantConnectionFactory.CreateLogger(loggerFactory);
        TimeProvider = timeProvider;

        // No telemetry and no time policy in the cache itself: the hit path stays a lookup. The cache disposes the
        // entries it lets go of (capacity, removal, replacement, clear), which retires them; idle expiry is our timer.
        _cache = new FastConcurrentLru<TenantConnectionKey, TenantDataSourceEntry>(options.Capacity);
        TrimPeriod = TimeSpan.FromTicks(Math.Clamp(options.IdleExpiry.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _trimTimer = timeProvider.CreateTimer(static s => ((TenantDataSourceCache)s!).ExpireIdle(), this, TrimPeriod, TrimPeriod);
        _subscription = catalog.SubscribeToChanges(OnTenantChanged);
    }

    public TimeProvider TimeProvider { get; }

    public TimeSpan GracePeriod => _options.RetiredDataSourceGracePeriod;

    /// <summary>How often idle expiry runs (a quarter of <see cref="TenantConnectionOptions.IdleExpiry"/>, 1 second to 1 minute).</summary>
    public TimeSpan TrimPeriod { get; }

    public int Count => _cache.Count;

    public int Capacity => _options.Capacity;

    /// <summary>Data sources built and not yet disposed.</summary>
    public long Alive => Volatile.Read(ref _alive);

    /// <summary>Data sources built since start.</summary>
    public long Built => Volatile.Read(ref _built);

    public bool TryGet(TenantConnectionKey key, out TenantDataSourceEntry entry) => _cache.TryGet(key, out entry!);

    /// <summary>Single flight: concurrent misses for one key share one build (one catalog read, one data source).</summary>
    public Task<TenantDataSourceEntry> GetOrBuildAsync(TenantConnectionKey key, CancellationToken cancellationToken)
    {
        TenantId.ThrowIfDefault(key.TenantId, "tenantId");

        if (key.Kind is not (TenantConnectionKind.Pooled or TenantConnectionKind.Direct))
        {
            throw new ArgumentOutOfRangeException("kind", key.Kind, "Unknown connection kind.");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, typeof(TenantConnectionFactory));
        return _builds.RunAsync(key, BuildAsync, cancellationToken);
    }

    private async Task<TenantDataSourceEntry> BuildAsync(TenantConnectionKey key)
    {
        if (_cache.TryGet(key, out var cached) && !cached.IsRetired)
        {
            return cached; // Built by the flight that just ended.
        }

        var stripe = EpochStripe(key.TenantId);
        var epoch = Volatile.Read(ref _epochs[stripe]);
        var record = await _catalog.GetAsync(key.TenantId, _disposing.Token).ConfigureAwait(false)
            ?? throw new TenantNotFoundException(key.TenantId);
        if (_gate is not null && record.State == TenantState.Ready)
        {
            // What the tenant needs before its first connection (a deferred migration), once per miss.
            record = await _gate.BeforeFirstOpenAsync(record, _disposing.Token).ConfigureAwait(false);
        }

        if (record.State != TenantState.Ready)
        {
            throw new TenantStateException(key.TenantId, record.State, ConnectOperation);
        }

        var (secret, secretKind) = TenantDataSourceBuilder.SelectSecret(record, key.Kind, _options);
        if (secret.IsEmpty)
        {
            throw new TenantStateException(key.TenantId, record.State, ConnectOperation, $"it has no {MissingSecretName(key.Kind)} connection secret in the catalog");
        }

        var limits = TenantDataSourceBuilder.PoolLimits(_options, _plans?.GetRecordedSettings(record));
        var dataSource = TenantDataSourceBuilder.Build(key.TenantId, key.Kind, _protector.Unprotect(key.TenantId, secretKind, secret.Span), _options, limits, _loggerFactory, out var maxPoolSize);
        var entry = new TenantDataSourceEntry(this, key, dataSource, maxPoolSize) { LastUsed = TimeProvider.GetTimestamp() };
        _live.TryAdd(entry, 0);
        Interlocked.Increment(ref _alive);
        Interlocked.Increment(ref _built);
        _metrics.Built(key.Kind);
        ConnectionLog.DataSourceBuilt(_logger, key.TenantId.Value, key.Kind);

        _cache.AddOrUpdate(key, entry);
        if (Volatile.Read(ref _epochs[stripe]) != epoch || Volatile.Read(ref _disposed) != 0)
        {
            // The tenant changed while its record was read: the callers waiting now look it up again.
            _cache.TryRemove(new KeyValuePair<TenantConnectionKey, TenantDataSourceEntry>(key, entry));
        }

        return entry;
    }

    /// <summary>The operation a <see cref="TenantStateException"/> from the connection layer names.</summary>
    public const string ConnectOperation = "connect";

    private static string MissingSecretName(TenantConnectionKind kind) => kind == TenantConnectionKind.Pooled ? "pooled" : "direct";

    /// <summary>Takes an entry out of the cache (it is retired, and disposed once nothing uses it).</summary>
    public void Invalidate(TenantDataSourceEntry entry)
    {
        _cache.TryRemove(new KeyValuePair<TenantConnectionKey, TenantDataSourceEntry>(entry.Key, entry));
        entry.Retire();
    }

    /// <summary>Drops a tenant's data sources (both kinds); open connections finish normally.</summary>
    public void Evict(TenantId tenantId)
    {
        Interlocked.Increment(ref _epochs[EpochStripe(tenantId)]);
        _cache.TryRemove(new TenantConnectionKey(tenantId, TenantConnectionKind.Pooled));
        _cache.TryRemove(new TenantConnectionKey(tenantId, TenantConnectionKind.Direct));
    }

    /// <summary>The cache let go of an entry (capacity, idle expiry, catalog change, authentication failure).</summary>
    public void OnReleasedByCache(TenantDataSourceEntry entry)
    {
        _metrics.Evicted(entry.Key.Kind);
        ConnectionLog.DataSourceRetired(_logger, entry.Key.TenantId.ToString(), entry.Key.Kind);
    }

    /// <summary>Called by an entry once nothing uses it any more: disposes its data source and returns its budget slots.</summary>
    public void OnEntryDisposed(TenantDataSourceEntry entry, int slots)
    {
        try
        {
            // Close the idle physical connections now (nothing is open on a retired entry), before the slots go back.
            entry.DataSource.Clear();
            entry.DataSource.Dispose();
            ConnectionLog.DataSourceDisposed(_logger, entry.Key.TenantId.Value, entry.Key.Kind);
        }
#pragma warning disable CA1031 // Disposal runs on eviction and connection close: a failure there must not surface to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ConnectionLog.DataSourceDisposeFailed(_logger, ex, entry.Key.TenantId.Value, entry.Key.Kind);
        }

        if (slots > 0)
        {
            _budget?.Release(slots);
        }

        if (_live.TryRemove(entry, out _))
        {
            Interlocked.Decrement(ref _alive);
        }
    }

    private void OnTenantChanged(TenantChange change)
    {
        switch (change.Kind)
        {
            case TenantChangeKind.Reset:
                for (var i = 0; i < _epochs.Length; i++)
                {
                    Interlocked.Increment(ref _epochs[i]);
                }

                _cache.Clear();
                break;
            case TenantChangeKind.Reserved:
                break;
            case TenantChangeKind.Updated when !(change.StateChanged || change.PlanChanged || change.ConnectionChanged):
                break;
            default:
                if (change.TenantId is { } tenantId)
                {
                    Evict(tenantId);
                }

                break;
        }
    }

    private static int EpochStripe(TenantId tenantId) => (tenantId.GetHashCode() & int.MaxValue) % EpochStripes;

    /// <summary>
    /// Removes entries unused for <see cref="TenantConnectionOptions.IdleExpiry"/> (none of their connections open).
    /// The hit path only marks an entry used; each tick turns the mark into <see cref="TenantDataSourceEntry.LastUsed"/>,
    /// so an entry expires between IdleExpiry and IdleExpiry plus two tick periods after its last open.
    /// </summary>
    private void ExpireIdle()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var entry in _live.Keys)
        {
            if (entry.TakeUsedSinceTick())
            {
                entry.LastUsed = now;
                continue;
            }

            if (!entry.IsRetired && entry.OpenCount == 0 && TimeProvider.GetElapsedTime(entry.LastUsed) > _options.IdleExpiry)
            {
                _cache.TryRemove(new KeyValuePair<TenantConnectionKey, TenantDataSourceEntry>(entry.Key, entry));
            }
        }
    }

    /// <summary>Stops the timer and the change feed, and disposes every data source whatever uses it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscription.Dispose();
        _trimTimer.Dispose();
        _disposing.Cancel();
        _cache.Clear();
        foreach (var entry in _live.Keys)
        {
            var slots = entry.ForceDispose();
            if (slots >= 0)
            {
                OnEntryDisposed(entry, slots);
            }
        }

        _disposing.Dispose();
    }
}
