using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="ITenantConnectionFactory"/>: a bounded LRU (BitFaster.Caching <c>ConcurrentLru</c>) of
/// reference-counted data sources, idle expiry by a timer on the injected <see cref="TimeProvider"/>, single-flight builds on a miss, a global budget of physical
/// connections, transparent retry of cold starts, one catalog reload on an authentication failure, and eviction on
/// catalog changes.
/// </summary>
internal sealed class TenantConnectionFactory : ITenantConnectionFactory, IAsyncDisposable, IDisposable
{
    private const int EpochStripes = 64;

    /// <summary>A start timestamp not taken (the hit path reads no clock unless it must).</summary>
    private const long NoTimestamp = long.MinValue;
    private static readonly TimeSpan BudgetPollInterval = TimeSpan.FromMilliseconds(20);

    private readonly ITenantCatalog _catalog;
    private readonly IConnectionSecretProtector _protector;
    private readonly ConnectionFactoryOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentLru<TenantConnectionKey, TenantDataSourceEntry> _cache;
    private readonly ConcurrentDictionary<TenantConnectionKey, Task<TenantDataSourceEntry>> _builds = new();
    private readonly ConcurrentDictionary<TenantDataSourceEntry, byte> _live = new();
    private readonly SemaphoreSlim _budget;
    private readonly ConnectionMetrics _metrics;
    private readonly ResiliencePipeline _retry;
    private readonly long[] _epochs = new long[EpochStripes];
    private readonly IDisposable _subscription;
    private readonly ITimer _trimTimer;
    private readonly CancellationTokenSource _disposing = new();
    private readonly TimeSpan _trimPeriod;
    private long _alive;
    private long _built;
    private int _waiting;
    private int _disposed;

    public TenantConnectionFactory(
        ITenantCatalog catalog,
        IConnectionSecretProtector protector,
        IOptions<ConnectionFactoryOptions> options,
        TimeProvider timeProvider,
        ILogger<TenantConnectionFactory>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(protector);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _catalog = catalog;
        _protector = protector;
        _options = options.Value;
        TimeProvider = timeProvider;
        _logger = logger ?? NullLogger<TenantConnectionFactory>.Instance;
        _budget = new SemaphoreSlim(_options.ConnectionBudget, _options.ConnectionBudget);
        _metrics = new ConnectionMetrics(meterFactory, () => Volatile.Read(ref _alive));

        // No telemetry and no time policy in the cache itself: the hit path stays a lookup. The cache disposes the
        // entries it lets go of (capacity, removal, replacement, clear), which retires them; idle expiry is our timer.
        _cache = new ConcurrentLru<TenantConnectionKey, TenantDataSourceEntry>(_options.Capacity);

        _retry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsTransient(e) && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(RecoveryKey, out var state))
                    {
                        var exception = args.Outcome.Exception;
                        ConnectionLog.TransientOpenFailure(_logger, exception!, state.Entry.Key.TenantId.Value, state.Entry.Key.Kind, args.AttemptNumber + 1, (exception as PostgresException)?.SqlState, args.RetryDelay);
                    }

                    return default;
                },
            })
            .Build();

        _trimPeriod = TimeSpan.FromTicks(Math.Clamp(_options.IdleExpiry.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _trimTimer = timeProvider.CreateTimer(static s => ((TenantConnectionFactory)s!).ExpireIdle(), this, _trimPeriod, _trimPeriod);
        _subscription = catalog.SubscribeToChanges(OnTenantChanged);
    }

    private static readonly ResiliencePropertyKey<RecoveryState> RecoveryKey = new("Neon.Tenancy.ConnectionRecovery");

    internal TimeProvider TimeProvider { get; }

    internal TimeSpan GracePeriod => _options.RetiredDataSourceGracePeriod;

    /// <summary>Data sources built and not yet disposed.</summary>
    internal long AliveDataSources => Volatile.Read(ref _alive);

    /// <summary>Data sources built since the factory started.</summary>
    internal long BuiltDataSources => Volatile.Read(ref _built);

    /// <summary>Entries in the cache now.</summary>
    internal int CachedCount => _cache.Count;

    /// <summary>Budget slots free now.</summary>
    internal int FreeBudget => _budget.CurrentCount;

    /// <summary>The cached entry of a tenant and kind, if any (tests).</summary>
    internal TenantDataSourceEntry? PeekEntry(TenantId tenantId, TenantConnectionKind kind) =>
        _cache.TryGet(new TenantConnectionKey(tenantId, kind), out var entry) ? entry : null;

    /// <inheritdoc/>
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(TenantId tenantId, TenantConnectionKind kind = TenantConnectionKind.Pooled, CancellationToken cancellationToken = default)
    {
        // The hit path: lookup, lock-free acquire, Npgsql's open. No clock read unless the duration histogram is
        // listened to (a failed open reads it then: the open deadline counts from the first failure on a hit).
        if (_cache.TryGet(new TenantConnectionKey(tenantId, kind), out var entry) && entry.TryAcquire(out var needSlot))
        {
            _metrics.Hit(kind);
            var start = _metrics.OpenDurationEnabled ? TimeProvider.GetTimestamp() : NoTimestamp;
            if (!needSlot || _budget.Wait(0))
            {
                return OpenAcquired(entry, start, cancellationToken);
            }

            return WaitForBudgetThenOpenAsync(entry, start, cancellationToken);
        }

        return OpenAfterMissAsync(new TenantConnectionKey(tenantId, kind), TimeProvider.GetTimestamp(), cancellationToken);
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
                entry = await GetOrBuildAsync(key, cancellationToken).ConfigureAwait(false);
            }

            // No budget slot: see ITenantConnectionFactory.GetDataSourceAsync for why, and what that means.
            if (entry.TryMarkHandedOut(TimeProvider.GetTimestamp()))
            {
                return entry.DataSource;
            }
        }
    }

    /// <summary>
    /// Opens on an acquired entry. When Npgsql completes synchronously (an idle pooled connection) no async frame of
    /// ours is added to its own; the retry machinery is entered only on a failure.
    /// </summary>
    private ValueTask<NpgsqlConnection> OpenAcquired(TenantDataSourceEntry entry, long start, CancellationToken cancellationToken)
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
            var connection = opening.Result;
            Attached(entry, connection, start);
            return new ValueTask<NpgsqlConnection>(connection);
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
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (IsTransient(ex) || IsAuthenticationFailure(ex)))
        {
            return await RecoverAsync(entry, ex, start, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            entry.Release();
            throw;
        }

        Attached(entry, connection, start);
        return connection;
    }

    private void Attached(TenantDataSourceEntry entry, NpgsqlConnection connection, long start)
    {
        entry.Attach(connection);
        if (start != NoTimestamp && _metrics.OpenDurationEnabled)
        {
            _metrics.Opened(entry.Key.Kind, TimeProvider.GetElapsedTime(start));
        }
    }

    private async ValueTask<NpgsqlConnection> WaitForBudgetThenOpenAsync(TenantDataSourceEntry entry, long start, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForBudgetAsync(entry.Key.TenantId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            entry.AbandonSlot();
            throw;
        }

        return await OpenAcquired(entry, start, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<NpgsqlConnection> OpenAfterMissAsync(TenantConnectionKey key, long start, CancellationToken cancellationToken)
    {
        var entry = await AcquireEntryAsync(key, cancellationToken).ConfigureAwait(false);
        return await OpenAcquired(entry, start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Looks up (building if needed) and acquires an entry, budget slot included.</summary>
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
                entry = await GetOrBuildAsync(key, cancellationToken).ConfigureAwait(false);
            }

            if (!entry.TryAcquire(out var needSlot))
            {
                continue;
            }

            if (needSlot && !_budget.Wait(0))
            {
                try
                {
                    await WaitForBudgetAsync(key.TenantId, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    entry.AbandonSlot();
                    throw;
                }
            }

            return entry;
        }
    }

    /// <summary>Single flight: concurrent misses for one key share one build (one catalog read, one data source).</summary>
    private Task<TenantDataSourceEntry> GetOrBuildAsync(TenantConnectionKey key, CancellationToken cancellationToken)
    {
        if (key.TenantId == default)
        {
            throw new ArgumentException("default(TenantId) is not a tenant.", "tenantId");
        }

        if (key.Kind is not (TenantConnectionKind.Pooled or TenantConnectionKind.Direct))
        {
            throw new ArgumentOutOfRangeException("kind", key.Kind, "Unknown connection kind.");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var mine = new TaskCompletionSource<TenantDataSourceEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        var build = _builds.GetOrAdd(key, mine.Task);
        if (build == mine.Task)
        {
            _ = RunBuildAsync(key, mine);
        }

        return build.WaitAsync(cancellationToken);
    }

    private async Task RunBuildAsync(TenantConnectionKey key, TaskCompletionSource<TenantDataSourceEntry> completion)
    {
        try
        {
            completion.SetResult(await BuildAsync(key).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // Every failure goes to the waiting callers.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            completion.SetException(ex);
            _ = completion.Task.Exception; // Observed here: callers that gave up (canceled) must not leave it unobserved.
        }
        finally
        {
            _builds.TryRemove(new KeyValuePair<TenantConnectionKey, Task<TenantDataSourceEntry>>(key, completion.Task));
        }
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
        if (record.State != TenantState.Ready)
        {
            throw new TenantNotReadyException(key.TenantId, record.State, key.Kind);
        }

        var (secret, secretKind) = TenantDataSourceBuilder.SelectSecret(record, key.Kind, _options);
        if (secret.IsEmpty)
        {
            throw new TenantNotReadyException(key.TenantId, record.State, key.Kind, missingSecret: true);
        }

        var limits = TenantDataSourceBuilder.PoolLimits(_options, record.Plan);
        var dataSource = TenantDataSourceBuilder.Build(key.TenantId, key.Kind, _protector.Unprotect(key.TenantId, secretKind, secret.Span), _options, limits);
        var entry = new TenantDataSourceEntry(this, key, dataSource, limits.MaxPoolSize) { LastUsed = TimeProvider.GetTimestamp() };
        _live.TryAdd(entry, 0);
        Interlocked.Increment(ref _alive);
        Interlocked.Increment(ref _built);
        _metrics.Built(key.Kind);
        ConnectionLog.DataSourceBuilt(_logger, key.TenantId.Value, key.Kind);

        _cache.AddOrUpdate(key, entry);
        if (Volatile.Read(ref _epochs[stripe]) != epoch || Volatile.Read(ref _disposed) != 0)
        {
            // The tenant changed while its record was read: serve the callers waiting now, rebuild for the next ones.
            _cache.TryRemove(new KeyValuePair<TenantConnectionKey, TenantDataSourceEntry>(key, entry));
        }

        return entry;
    }

    private async Task<NpgsqlConnection> RecoverAsync(TenantDataSourceEntry entry, Exception error, long start, CancellationToken cancellationToken)
    {
        var key = entry.Key;
        var state = new RecoveryState(entry) { Attempts = 1, Last = error };
        if (start == NoTimestamp)
        {
            start = TimeProvider.GetTimestamp();
        }

        // Cold: never opened, or (as far as the idle-expiry ticks can tell, erring towards cold) unused for longer than
        // the compute's suspend timeout.
        var cold = !entry.HasOpened
            || (!entry.UsedSinceTick && TimeProvider.GetElapsedTime(entry.LastUsed) + _trimPeriod > _options.SuspendTimeout);
        var deadline = cold ? _options.FirstOpenDeadline : _options.OpenDeadline;
        var reloaded = false;
        while (true)
        {
            if (IsAuthenticationFailure(state.Last) && !reloaded)
            {
                // Credentials were probably rotated by another instance: read the record again, once.
                reloaded = true;
                ConnectionLog.AuthenticationFailedReloading(_logger, key.TenantId.Value, key.Kind);
                Invalidate(state.Entry);
                state.Entry.Release();
                state.Entry = await AcquireEntryAsync(key, cancellationToken).ConfigureAwait(false);
                try
                {
                    state.Attempts++;
                    var connection = await state.Entry.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                    return Finish(state, connection, start, cold);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (IsTransient(ex) || IsAuthenticationFailure(ex)))
                {
                    state.Last = ex;
                    continue;
                }
                catch
                {
                    state.Entry.Release();
                    throw;
                }
            }

            if (!IsTransient(state.Last))
            {
                state.Entry.Release();
                ExceptionDispatchInfo.Throw(state.Last);
            }

            var remaining = deadline - TimeProvider.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                throw Unavailable(state, start);
            }

            state.Entry.DataSource.Clear();
            using var timeout = new CancellationTokenSource(remaining, TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var context = ResilienceContextPool.Shared.Get(linked.Token);
            context.Properties.Set(RecoveryKey, state);
            try
            {
                // The first retry waits a backoff delay like every other: the failure that brought us here was attempt 1.
                await Task.Delay(_options.RetryBaseDelay, TimeProvider, linked.Token).ConfigureAwait(false);
                var connection = await _retry.ExecuteAsync(
                    static async (ctx, s) =>
                    {
                        s.Attempts++;
                        try
                        {
                            return await s.Entry.DataSource.OpenConnectionAsync(ctx.CancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            s.Last = ex;
                            if (IsTransient(ex))
                            {
                                s.Entry.DataSource.Clear();
                            }

                            throw;
                        }
                    },
                    context,
                    state).ConfigureAwait(false);
                return Finish(state, connection, start, cold);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unavailable(state, start);
            }
            catch (Exception ex) when (IsAuthenticationFailure(ex) && !reloaded)
            {
                state.Last = ex;
            }
            catch (Exception ex) when (!IsAuthenticationFailure(ex) || reloaded)
            {
                state.Entry.Release();
                throw;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    private NpgsqlConnection Finish(RecoveryState state, NpgsqlConnection connection, long start, bool cold)
    {
        Attached(state.Entry, connection, start);
        var elapsed = TimeProvider.GetElapsedTime(start);
        if (cold && elapsed >= _options.SlowOpenThreshold)
        {
            ConnectionLog.SlowFirstOpen(_logger, state.Entry.Key.TenantId.Value, state.Entry.Key.Kind, (long)elapsed.TotalMilliseconds, state.Attempts);
        }

        return connection;
    }

    private TenantUnavailableException Unavailable(RecoveryState state, long start)
    {
        state.Entry.Release();
        var elapsed = TimeProvider.GetElapsedTime(start);
        ConnectionLog.OpenDeadlineExceeded(_logger, state.Entry.Key.TenantId.Value, state.Entry.Key.Kind, (long)elapsed.TotalMilliseconds, state.Attempts);
        return new TenantUnavailableException(state.Entry.Key.TenantId, state.Entry.Key.Kind, elapsed, state.Attempts, state.Last);
    }

    /// <summary>
    /// Takes one budget slot when the fast path found none: first from slots that only cover idle pooled connections
    /// (reclaiming one is not waiting: no budget wait is counted), else waits for one, reclaiming meanwhile.
    /// </summary>
    /// <param name="tenantId">The tenant waiting (logs and the exception).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    private async Task WaitForBudgetAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        if (ReclaimIdle() > 0 && _budget.Wait(0))
        {
            return;
        }

        _metrics.BudgetWait();
        ConnectionLog.WaitingForBudget(_logger, tenantId.ToString(), _options.ConnectionBudget);
        var start = TimeProvider.GetTimestamp();
        Interlocked.Increment(ref _waiting);
        try
        {
            while (true)
            {
                var remaining = _options.BudgetWaitTimeout - TimeProvider.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                {
                    throw BudgetExceeded(tenantId, TimeProvider.GetElapsedTime(start));
                }

                if (await _budget.WaitAsync(remaining < BudgetPollInterval ? remaining : BudgetPollInterval, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                if (ReclaimIdle() > 0 && _budget.Wait(0))
                {
                    return;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>What holds the budget now, in counts only (no tenant id: the message may reach another tenant's caller).</summary>
    private TenantConnectionBudgetExceededException BudgetExceeded(TenantId tenantId, TimeSpan waited)
    {
        // A caller waiting for a slot is already counted open (and held) on its entry: take the waiters out.
        long open = 0, idle = 0;
        var sources = 0;
        foreach (var (entry, _) in _live)
        {
            var (entryOpen, held) = (entry.OpenCount, entry.HeldSlots);
            open += entryOpen;
            idle += Math.Max(0, held - entryOpen);
            sources += entryOpen > 0 ? 1 : 0;
        }

        var waiting = Volatile.Read(ref _waiting);
        var inUse = (int)Math.Clamp(open - waiting, 0, int.MaxValue);
        var idleSlots = (int)Math.Min(idle, int.MaxValue);
        ConnectionLog.BudgetExceeded(_logger, tenantId.ToString(), _options.ConnectionBudget, (long)waited.TotalMilliseconds, inUse, sources, idleSlots, waiting);
        return new TenantConnectionBudgetExceededException(tenantId, _options.ConnectionBudget, waited, inUse, idleSlots, waiting);
    }

    /// <summary>
    /// Gives back to the budget the slots of the first data source found whose slots cover idle pooled connections
    /// (closing those connections): one source at a time, so one new tenant does not close every other tenant's idle
    /// connection. Order is the live set's, not least-recently-used.
    /// </summary>
    /// <returns>The slots freed (0 when every held slot covers a connection in use).</returns>
    private int ReclaimIdle()
    {
        // The dictionary's own enumerator: no snapshot of the keys (Keys copies them all) on every open that finds the budget spent.
        foreach (var (entry, _) in _live)
        {
            var slots = entry.ReclaimIdle();
            if (slots > 0)
            {
                _budget.Release(slots);
                return slots;
            }
        }

        return 0;
    }

    /// <summary>Called by an entry once nothing uses it any more: disposes its data source and returns its budget slots.</summary>
    internal void OnEntryDisposed(TenantDataSourceEntry entry, int slots)
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
            _budget.Release(slots);
        }

        if (_live.TryRemove(entry, out _))
        {
            Interlocked.Decrement(ref _alive);
        }
    }

    private void Invalidate(TenantDataSourceEntry entry)
    {
        _cache.TryRemove(new KeyValuePair<TenantConnectionKey, TenantDataSourceEntry>(entry.Key, entry));
        entry.Retire();
    }

    /// <summary>The cache let go of an entry (capacity, idle expiry, catalog change, authentication failure).</summary>
    internal void OnReleasedByCache(TenantDataSourceEntry entry)
    {
        _metrics.Evicted(entry.Key.Kind);
        ConnectionLog.DataSourceRetired(_logger, entry.Key.TenantId.ToString(), entry.Key.Kind);
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

    /// <summary>Drops a tenant's data sources (both kinds); open connections finish normally.</summary>
    internal void Evict(TenantId tenantId)
    {
        Interlocked.Increment(ref _epochs[EpochStripe(tenantId)]);
        _cache.TryRemove(new TenantConnectionKey(tenantId, TenantConnectionKind.Pooled));
        _cache.TryRemove(new TenantConnectionKey(tenantId, TenantConnectionKind.Direct));
    }

    private static int EpochStripe(TenantId tenantId) => (tenantId.GetHashCode() & int.MaxValue) % EpochStripes;

    /// <summary>
    /// Removes entries unused for <see cref="ConnectionFactoryOptions.IdleExpiry"/> (none of their connections open).
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

    internal static bool IsAuthenticationFailure(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification };

    /// <summary>
    /// Whether an open failure is worth retrying: a compute waking up or restarting (57P01/57P02/57P03, Neon's proxy
    /// "Couldn't connect to compute node"), a database refusing connections for a moment (55000), too many connections
    /// (53300), any connection exception class 08, or a network/timeout failure.
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ObjectNotInPrerequisiteState
            || pg.MessageText.Contains("connect to compute node", StringComparison.OrdinalIgnoreCase),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return default;
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

        _metrics.Dispose();
        _disposing.Dispose();
        return default;
    }

    private sealed class RecoveryState(TenantDataSourceEntry entry)
    {
        public TenantDataSourceEntry Entry { get; set; } = entry;

        public int Attempts { get; set; }

        public Exception Last { get; set; } = null!;
    }
}
