using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The warm pool (<see cref="ITenantWarmPool"/>): its status from the catalog's pool entries, and the replenishing pass,
/// which runs on one instance at a time (the <see cref="IInstanceLease"/> <c>neon-tenancy:warm-pool</c>). A pass, in
/// order: settles claims (<c>TenantWarmPool.Housekeeping.cs</c>), cleans up what a crash left, recycles what no longer
/// belongs, migrates ready projects to the current schema version (<c>TenantWarmPool.Migrate.cs</c>) and creates what
/// each pool lacks (<c>TenantWarmPool.Create.cs</c>).
/// </summary>
/// <remarks>
/// <para>Every step works entry by entry: one project's failure is logged, counted and (for a creation or a migration)
/// recycled, and the pass goes on. Changes to an entry are version-checked, so a claim that takes a ready entry while
/// the pass looks at it wins and the pass leaves the entry alone. Cancelling stops the pass from starting more work;
/// what it leaves half done (an entry <see cref="WarmPoolEntryState.Creating"/> or <see cref="WarmPoolEntryState.Migrating"/>)
/// is taken up by a pass once it is older than <see cref="StaleAfter"/>.</para>
/// <para>A pool project's initializer and migrator run for its pool identity (<c>pool--{id}</c>), not for the tenant
/// that will claim it.</para>
/// </remarks>
internal sealed partial class TenantWarmPool : ITenantWarmPool
{
    /// <summary>The <see cref="IInstanceLease"/> name every instance's replenisher shares.</summary>
    internal const string LeaseName = "neon-tenancy:warm-pool";

    private readonly IServiceProvider _services;
    private readonly WarmPoolLayout _layout;
    private readonly WarmPoolOptions _options;
    private readonly string _projectNamePrefix;
    private readonly TenantProjectSetup _setup;
    private readonly TenantMutator _kit;
    private readonly TenantMigrations _migrations;
    private readonly IConnectionSecretProtector _protector;
    private readonly IInstanceLease _lease;
    private readonly WarmPoolMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<NeonApiOptions> _apiOptions;
    private readonly ITenantMigrator? _migrator;
    private readonly ITenantDatabaseInitializer? _initializer;
    private readonly ILogger _logger;
    private readonly Lazy<IWarmPoolStore?> _store;

    /// <summary>Creates the pool. The store is resolved on first use, and only then (a host without the pool never needs one).</summary>
    public TenantWarmPool(
        IServiceProvider services,
        WarmPoolLayout layout,
        IOptions<WarmPoolOptions> options,
        IOptions<NeonTenancyOptions> tenancyOptions,
        TenantProjectSetup setup,
        TenantMutator kit,
        TenantMigrations migrations,
        IConnectionSecretProtector protector,
        IInstanceLease lease,
        WarmPoolMetrics metrics,
        TimeProvider timeProvider,
        IOptionsMonitor<NeonApiOptions> apiOptions,
        ITenantMigrator? migrator = null,
        ITenantDatabaseInitializer? initializer = null,
        ILogger<TenantWarmPool>? logger = null)
    {
        _services = services;
        _layout = layout;
        _options = options.Value;
        _projectNamePrefix = tenancyOptions.Value.ProjectNamePrefix;
        _setup = setup;
        _kit = kit;
        _migrations = migrations;
        _protector = protector;
        _lease = lease;
        _metrics = metrics;
        _time = timeProvider;
        _apiOptions = apiOptions;
        _migrator = migrator;
        _initializer = initializer;
        _logger = logger ?? NullLogger<TenantWarmPool>.Instance;
        _store = new Lazy<IWarmPoolStore?>(() => WarmPoolStores.Find(services));
    }

    /// <summary>
    /// How long an entry may stay <see cref="WarmPoolEntryState.Creating"/>, <see cref="WarmPoolEntryState.Migrating"/> or
    /// <see cref="WarmPoolEntryState.Recycling"/> before a pass takes it for one a crash left (default 10 minutes; tests set it).
    /// </summary>
    internal TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The schema version a claimable entry has: the migrator's target, or 0 without a migrator.</summary>
    internal int TargetSchemaVersion => _migrator?.TargetVersion ?? 0;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<WarmPoolStatus>> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        if (_store.Value is not { } store)
        {
            return [];
        }

        return Status(await store.ListAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public async Task<WarmPoolReplenishResult> ReplenishAsync(CancellationToken cancellationToken = default)
    {
        if (_store.Value is not { } store)
        {
            return new WarmPoolReplenishResult(Ran: false, 0, 0, 0, 0, []);
        }

        var lease = await _lease.TryAcquireAsync(LeaseName, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            WarmPoolLog.LeaseHeldElsewhere(_logger, LeaseName);
            return new WarmPoolReplenishResult(Ran: false, 0, 0, 0, 0, await GetStatusAsync(cancellationToken).ConfigureAwait(false));
        }

        await using (lease.ConfigureAwait(false))
        {
            var started = _time.GetTimestamp();
            var pass = new PassCounts();
            var target = TargetSchemaVersion;
            await SettleClaimsAsync(store, await store.ListAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await RecycleAsync(store, await store.ListAsync(cancellationToken).ConfigureAwait(false), pass, cancellationToken).ConfigureAwait(false);
            await MigrateAsync(store, await store.ListAsync(cancellationToken).ConfigureAwait(false), target, pass, cancellationToken).ConfigureAwait(false);
            await CreateAsync(store, await store.ListAsync(cancellationToken).ConfigureAwait(false), pass, cancellationToken).ConfigureAwait(false);

            var pools = Status(await store.ListAsync(cancellationToken).ConfigureAwait(false));
            var (created, migrated, recycled, failed) = (pass.Created, pass.Migrated, pass.Recycled, pass.Failed);
            WarmPoolLog.PassCompleted(_logger, created + migrated + recycled + failed > 0 ? LogLevel.Information : LogLevel.Debug, created, migrated, recycled, failed,
                pools.Sum(p => p.Ready), pools.Sum(p => p.TargetSize), _time.GetElapsedTime(started).TotalMilliseconds);
            return new WarmPoolReplenishResult(Ran: true, created, migrated, recycled, failed, pools);
        }
    }

    /// <summary>
    /// The pools as the entries show them: every configured pool, then every other pool that still has entries (target
    /// 0). Claimed and recycling entries count nowhere. Also what the depth gauge reports from now on.
    /// </summary>
    private List<WarmPoolStatus> Status(IReadOnlyList<WarmPoolEntry> entries)
    {
        var target = TargetSchemaVersion;
        var counted = entries.Where(e => e.State is WarmPoolEntryState.Ready or WarmPoolEntryState.Creating or WarmPoolEntryState.Migrating).ToList();
        var pools = _layout.Pools
            .Concat(counted.Select(Key).Distinct().Where(k => _layout.SizeOf(k) == 0)
                .OrderBy(k => k.Region, StringComparer.Ordinal).ThenBy(k => k.PlanClass, StringComparer.Ordinal))
            .Distinct()
            .ToList();
        var status = pools.Select(pool =>
        {
            var of = counted.Where(e => Key(e) == pool).ToList();
            var ready = of.Count(e => IsClaimable(e, target));
            return (Pool: pool, Status: new WarmPoolStatus(pool.PublicRegion, pool.PlanClass, _layout.SizeOf(pool), ready, of.Count - ready));
        }).ToList();
        _metrics.Observed(status.Select(s => (s.Pool, s.Status.Ready)));
        return [.. status.Select(s => s.Status)];
    }

    private static WarmPoolKey Key(WarmPoolEntry entry) => new(entry.Region, entry.PlanClass);

    private static bool IsClaimable(WarmPoolEntry entry, int target) => entry.State == WarmPoolEntryState.Ready && entry.SchemaVersion >= target;

    private bool IsStale(WarmPoolEntry entry) => _time.GetUtcNow() - entry.UpdatedAt >= StaleAfter;

    /// <summary>What one pass did so far; steps run in parallel add to it.</summary>
    private sealed class PassCounts
    {
        private int _created;
        private int _migrated;
        private int _recycled;
        private int _failed;

        public int Created => Volatile.Read(ref _created);

        public int Migrated => Volatile.Read(ref _migrated);

        public int Recycled => Volatile.Read(ref _recycled);

        public int Failed => Volatile.Read(ref _failed);

        public void AddCreated() => Interlocked.Increment(ref _created);

        public void AddMigrated() => Interlocked.Increment(ref _migrated);

        public void AddRecycled() => Interlocked.Increment(ref _recycled);

        public void AddFailed() => Interlocked.Increment(ref _failed);
    }
}
