using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Scheduled checkpoints: every <see cref="TenantCheckpointOptions.SchedulerPeriod"/>, on one application instance at a
/// time (the <see cref="IInstanceLease"/> <c>checkpoint-scheduler</c>; an instance that finds it held skips its turn),
/// takes a checkpoint of each Ready tenant whose plan has a <see cref="TenantPlan.CheckpointInterval"/> and whose
/// newest checkpoint (any, scheduled or not) is at least that old, or that has none. Runs with the host when some plan
/// has an interval; does nothing otherwise.
/// </summary>
/// <remarks>
/// <para>Tenants are checkpointed one after another (the API rate budget is shared with everything else); one tenant's
/// failure is logged and the others go on. The plan's retention (<see cref="TenantPlan.MaxCheckpoints"/>,
/// <see cref="TenantPlan.CheckpointRetention"/>) applies as to any checkpoint.</para>
/// <para>Ticks are counted from the previous tick's start on the scheduler's clock and never overlap: a tick that runs
/// longer than the period is followed by the next at once, and missed ticks are not made up one by one. Should the
/// lease holder's catalog session die mid-tick, another instance may run a tick at the same time; at worst a tenant gets
/// two checkpoints close together.</para>
/// </remarks>
internal sealed class CheckpointScheduler : BackgroundService
{
    /// <summary>The <see cref="IInstanceLease"/> name every instance's scheduler shares.</summary>
    internal const string LeaseName = "checkpoint-scheduler";

    /// <summary>The metadata key of a scheduled checkpoint; its value is the plan's interval (<c>01:00:00</c>).</summary>
    internal const string ScheduleMetadataKey = "neon.tenancy.schedule";

    private readonly Lazy<(ITenantCatalog Catalog, ITenantCheckpoints Checkpoints, IInstanceLease Lease, NeonBackupSchedules NeonSchedules)> _services;
    private readonly PlanBook _plans;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicTicks<CheckpointSchedulerTick> _ticks;
    private DateTimeOffset _firstTick;

    /// <summary>
    /// The host's constructor. The catalog, the checkpoints and the lease are resolved at the first tick, not here: the
    /// host builds every hosted service before any starts, and a host with no catalog registered must fail with
    /// <see cref="NeonTenancyHostedService"/>'s instructions, not with a resolution error of this service's.
    /// </summary>
    public CheckpointScheduler(
        IServiceProvider services,
        PlanBook plans,
        IOptions<TenantCheckpointOptions> options,
        TimeProvider timeProvider,
        ILogger<CheckpointScheduler>? logger = null)
        : this(
            new Lazy<(ITenantCatalog, ITenantCheckpoints, IInstanceLease, NeonBackupSchedules)>(() =>
                (services.GetRequiredService<ITenantCatalog>(), services.GetRequiredService<ITenantCheckpoints>(), services.GetRequiredService<IInstanceLease>(),
                    services.GetRequiredService<NeonBackupSchedules>())),
            plans, options, timeProvider, logger)
    {
    }

    /// <summary>A scheduler over given services (tests).</summary>
    internal CheckpointScheduler(
        ITenantCatalog catalog,
        ITenantCheckpoints checkpoints,
        IInstanceLease lease,
        PlanBook plans,
        IOptions<TenantCheckpointOptions> options,
        TimeProvider timeProvider,
        ILogger<CheckpointScheduler>? logger = null,
        NeonBackupSchedules? neonSchedules = null)
        : this(new Lazy<(ITenantCatalog, ITenantCheckpoints, IInstanceLease, NeonBackupSchedules)>((catalog, checkpoints, lease, neonSchedules!)), plans, options, timeProvider, logger)
    {
    }

    private CheckpointScheduler(
        Lazy<(ITenantCatalog, ITenantCheckpoints, IInstanceLease, NeonBackupSchedules)> services,
        PlanBook plans,
        IOptions<TenantCheckpointOptions> options,
        TimeProvider timeProvider,
        ILogger<CheckpointScheduler>? logger)
    {
        _services = services;
        _plans = plans;
        _period = options.Value.SchedulerPeriod;
        _time = timeProvider;
        _ticks = new PeriodicTicks<CheckpointSchedulerTick>(timeProvider, _period);
        _logger = logger ?? NullLogger<CheckpointScheduler>.Instance;
    }

    /// <summary>Completes when the loop's next tick ends (with what it did), for tests that move a fake clock.</summary>
    internal Task<CheckpointSchedulerTick> NextTick => _ticks.Next;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The first tick is one period after the host starts, read here: ExecuteAsync runs on a thread of its own, later.
        _firstTick = _time.GetUtcNow() + _period;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_plans.HasCheckpointSchedule)
        {
            return;
        }

        CheckpointLog.SchedulerStarted(_logger, _period);
        await _ticks.RunAsync(_firstTick, TickAsync, error =>
        {
            CheckpointLog.SchedulerTickFailed(_logger, error);
            return CheckpointSchedulerTick.NotRun;
        }, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One tick: takes the lease (or skips), then checkpoints every due tenant. A tenant's failure is logged and counted;
    /// a failure to read the catalog or take the lease escapes.
    /// </summary>
    internal async Task<CheckpointSchedulerTick> TickAsync(CancellationToken cancellationToken)
    {
        var (catalog, checkpoints, instanceLease, neonSchedules) = _services.Value;
        var lease = await instanceLease.TryAcquireAsync(LeaseName, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            CheckpointLog.SchedulerLeaseHeldElsewhere(_logger, LeaseName);
            return CheckpointSchedulerTick.NotRun;
        }

        await using (lease.ConfigureAwait(false))
        {
            var (now, started) = (_time.GetUtcNow(), _time.GetTimestamp());
            var name = "scheduled " + now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
            int read = 0, due = 0, created = 0, failed = 0;
            await foreach (var tenant in catalog.ListAllAsync(new TenantQuery { State = TenantState.Ready }, cancellationToken).ConfigureAwait(false))
            {
                read++;
                var plan = _plans.GetCheckpointRetention(tenant.Plan);
                if (plan.NeonSchedule)
                {
                    // Neon takes the snapshots: set its schedule on the tenant's branch, record what it took.
                    due++;
                    try
                    {
                        created += await neonSchedules.SyncAsync(tenant.TenantId, plan, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception error) when (!cancellationToken.IsCancellationRequested)
                    {
                        failed++;
                        CheckpointLog.ScheduledCheckpointFailed(_logger, tenant.TenantId.Value, error);
                    }

                    continue;
                }

                if (plan.Interval is not { } interval
                    || !await IsDueAsync(catalog, tenant.TenantId, interval, now, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                due++;
                try
                {
                    var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ScheduleMetadataKey] = interval.ToString("c", CultureInfo.InvariantCulture) };
                    await checkpoints.CreateCheckpointAsync(tenant.TenantId, name, metadata, cancellationToken).ConfigureAwait(false);
                    created++;
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    CheckpointLog.ScheduledCheckpointFailed(_logger, tenant.TenantId.Value, error);
                }
            }

            CheckpointLog.SchedulerTickCompleted(_logger, due > 0 ? LogLevel.Information : LogLevel.Debug, read, due, created, failed, _time.GetElapsedTime(started).TotalMilliseconds);
            return new CheckpointSchedulerTick(Ran: true, read, due, created, failed);
        }
    }

    private static async Task<bool> IsDueAsync(ITenantCatalog catalog, TenantId tenantId, TimeSpan interval, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var checkpoints = await catalog.GetCheckpointsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return checkpoints.Count == 0 || now - checkpoints.Max(c => c.CreatedAt) >= interval;
    }

}

/// <summary>What one scheduler tick did.</summary>
/// <param name="Ran">Whether this instance held the lease (otherwise another ran the tick, or it failed).</param>
/// <param name="Read">Ready tenants read from the catalog.</param>
/// <param name="Due">Tenants due for a checkpoint.</param>
/// <param name="Created">Checkpoints created.</param>
/// <param name="Failed">Due tenants whose checkpoint failed.</param>
internal sealed record CheckpointSchedulerTick(bool Ran, int Read, int Due, int Created, int Failed)
{
    /// <summary>A tick this instance did not run: another held the lease, or the tick failed before any tenant.</summary>
    public static readonly CheckpointSchedulerTick NotRun = new(false, 0, 0, 0, 0);
}
