using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The fleet engine (<see cref="ITenantFleet"/>). A call plans the run from the catalog (or finds it in the ledger),
/// then works it: claims tenants of the current wave from the ledger up to its parallelism, runs each under a timeout,
/// records each outcome, renews its leases in the background, and returns when no tenant of the run is left to start
/// (or the run halted, or the caller cancelled). Every call is one worker with an owner id of its own; workers of any
/// instance cooperate through the ledger only.
/// </summary>
internal sealed partial class TenantFleet : ITenantFleet
{
    private readonly ITenantCatalog _catalog;
    private readonly IFleetLedger _ledger;
    private readonly TimeProvider _time;
    private readonly int _connectionBudget;
    private readonly FleetMetrics _metrics;
    private readonly ILogger _logger;

    public TenantFleet(
        ITenantCatalog catalog,
        IFleetLedger ledger,
        IOptions<TenantConnectionOptions> connections,
        TimeProvider timeProvider,
        ILogger<TenantFleet>? logger = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        _catalog = catalog;
        _ledger = ledger;
        _time = timeProvider;
        _connectionBudget = connections.Value.ConnectionBudget;
        _metrics = new FleetMetrics(meterFactory);
        _logger = logger ?? NullLogger<TenantFleet>.Instance;
    }

    /// <summary>How often a worker with nothing to start looks at the ledger again (tests shorten it).</summary>
    internal TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc/>
    public async Task<FleetPlan> PlanAsync(ITenantFleetWork work, FleetRunOptions options, CancellationToken cancellationToken = default)
    {
        FleetRunRules.Validate(work, options);
        var recorded = await _ledger.GetRunAsync(options.RunId, cancellationToken).ConfigureAwait(false);
        if (recorded is not null)
        {
            RequireSameWork(recorded, work);
            var stored = await _ledger.GetEntriesAsync(options.RunId, cancellationToken).ConfigureAwait(false);
            return new FleetPlan { RunId = options.RunId, Work = recorded.Work, Recorded = true, Waves = recorded.Waves, Tenants = [.. stored.Select(e => e.ToPublic())] };
        }

        var (entries, waves) = await FleetRunRules.PlanAsync(_catalog, work, options, cancellationToken).ConfigureAwait(false);
        return new FleetPlan { RunId = options.RunId, Work = work.Name, Waves = waves, Tenants = [.. entries.Select(e => e.ToPublic())] };
    }

    /// <inheritdoc/>
    public async Task<FleetRunResult?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        FleetRunRules.ValidateRunId(runId, nameof(runId));
        var run = await _ledger.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return run is null ? null : await ResultAsync(run, parallelism: 0, bound: null, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<FleetRunResult> RunAsync(ITenantFleetWork work, FleetRunOptions options, IProgress<FleetProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        FleetRunRules.Validate(work, options);
        var started = _time.GetTimestamp();
        using var activity = NeonTenancyTelemetry.ActivitySource.StartActivity(NeonTenancyTelemetry.FleetRunActivity);
        activity?.SetTag(NeonTenancyTelemetry.Tags.FleetRunId, options.RunId);
        activity?.SetTag(NeonTenancyTelemetry.Tags.FleetWork, work.Name);

        var (parallelism, bound) = Parallelism(options.MaxParallelism);
        var run = await _ledger.GetRunAsync(options.RunId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            var (entries, waves) = await FleetRunRules.PlanAsync(_catalog, work, options, cancellationToken).ConfigureAwait(false);
            var toRun = entries.Count(e => e.State == FleetTenantState.Pending);
            var deferred = entries.Count(e => e.State == FleetTenantState.Deferred);
            if (toRun == 0 && deferred == 0)
            {
                FleetLog.NothingToDo(_logger, options.RunId, work.Name, entries.Count);
                activity?.SetTag("neon.tenancy.fleet.state", "nothing_to_do");
                return new FleetRunResult
                {
                    RunId = options.RunId,
                    Work = work.Name,
                    State = FleetRunState.NothingToDo,
                    Progress = new FleetProgress { RunId = options.RunId, Total = entries.Count, Skipped = entries.Count },
                    Parallelism = parallelism,
                    ParallelismBound = bound,
                    Tenants = [.. entries.Select(e => e.ToPublic())],
                    Elapsed = _time.GetElapsedTime(started),
                };
            }

            var now = CatalogRules.Now(_time);
            (run, var created) = await _ledger.CreateRunAsync(
                new FleetLedgerRun(options.RunId, work.Name, waves, toRun == 0 ? FleetRunState.Completed : FleetRunState.Running, null, now, now),
                entries, cancellationToken).ConfigureAwait(false);
            if (created)
            {
                FleetLog.RunStarted(_logger, options.RunId, work.Name, toRun, waves, entries.Count - toRun - deferred, deferred);
            }
        }

        RequireSameWork(run, work);
        if (run.State != FleetRunState.Running)
        {
            var parkedLeft = run.State == FleetRunState.Completed && options.RetryParked
                && (await _ledger.CountAsync(options.RunId, cancellationToken).ConfigureAwait(false)).Parked > 0;
            if (run.State == FleetRunState.Halted || parkedLeft)
            {
                run = await _ledger.ReopenAsync(options.RunId, options.RetryParked, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (options.RetryParked)
        {
            run = await _ledger.ReopenAsync(options.RunId, requeueParked: true, cancellationToken).ConfigureAwait(false);
        }

        var doneHere = 0;
        if (run.State == FleetRunState.Running)
        {
            var worker = new Worker(this, work, options, run, parallelism, progress, started);
            run = await worker.RunAsync(cancellationToken).ConfigureAwait(false);
            doneHere = worker.DoneHere;
        }

        var result = await ResultAsync(run, parallelism, bound, _time.GetElapsedTime(started), CancellationToken.None, doneHere).ConfigureAwait(false);
        activity?.SetTag("neon.tenancy.fleet.state", result.State.ToString());
        if (result.Progress.Parked > 0)
        {
            activity?.SetStatus(ActivityStatusCode.Error, string.Create(CultureInfo.InvariantCulture, $"{result.Progress.Parked} tenant(s) parked"));
        }

        var p = result.Progress;
        FleetLog.RunEnded(_logger, result.RunId, result.State, result.Elapsed, p.Succeeded, p.Parked, p.Skipped, p.Deferred, p.Pending, p.Running);
        return result;
    }

    /// <summary>The parallelism of a call: the requested one, kept within half the connection budget (the request path keeps the rest).</summary>
    internal (int Parallelism, string Bound) Parallelism(int requested)
    {
        if (_connectionBudget > 0 && requested > Math.Max(1, _connectionBudget / 2))
        {
            return (Math.Max(1, _connectionBudget / 2), "connection budget");
        }

        return (requested, "requested");
    }

    private static void RequireSameWork(FleetLedgerRun run, ITenantFleetWork work)
    {
        if (!string.Equals(run.Work, work.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Fleet run '{run.RunId}' is recorded for the work '{run.Work}', not '{work.Name}': choose another run id.", nameof(work));
        }
    }

    private async Task<FleetRunResult> ResultAsync(FleetLedgerRun run, int parallelism, string? bound, TimeSpan elapsed, CancellationToken cancellationToken,
        int doneHere = 0)
    {
        var counts = await _ledger.CountAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        var entries = await _ledger.GetEntriesAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        return new FleetRunResult
        {
            RunId = run.RunId,
            Work = run.Work,
            State = run.State,
            HaltReason = run.HaltReason,
            Progress = Snapshot(run, counts, doneHere, elapsed),
            Parallelism = parallelism,
            ParallelismBound = bound,
            Tenants = [.. entries.Select(e => e.ToPublic())],
            Elapsed = elapsed,
        };
    }

    private static FleetProgress Snapshot(FleetLedgerRun run, FleetLedgerCounts counts, int doneHere, TimeSpan elapsed)
    {
        var perMinute = doneHere > 0 && elapsed > TimeSpan.Zero ? doneHere / elapsed.TotalMinutes : 0;
        var left = counts.Pending + counts.Running;
        return new FleetProgress
        {
            RunId = run.RunId,
            Total = counts.Total,
            Pending = counts.Pending,
            Running = counts.Running,
            Succeeded = counts.Succeeded,
            Parked = counts.Parked,
            Skipped = counts.Skipped,
            Deferred = counts.Deferred,
            Retrying = counts.Retrying,
            Wave = counts.Wave,
            Waves = run.Waves,
            TenantsPerMinute = perMinute,
            EstimatedRemaining = perMinute > 0 ? TimeSpan.FromMinutes(left / perMinute) : (left == 0 ? TimeSpan.Zero : null),
        };
    }
}
