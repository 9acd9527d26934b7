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
internal sealed class TenantFleet : ITenantFleet
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

    /// <summary>One call's worker: its owner id, its running tenants and its lease renewal.</summary>
    private sealed class Worker
    {
        private readonly TenantFleet _fleet;
        private readonly ITenantFleetWork _work;
        private readonly FleetRunOptions _options;
        private readonly int _parallelism;
        private readonly IProgress<FleetProgress>? _progress;
        private readonly long _started;
        private readonly string _owner = Environment.MachineName + "/" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "/" + Guid.NewGuid().ToString("N")[..12];
        private readonly Dictionary<Task, TenantId> _running = [];
        private FleetLedgerRun _run;
        private int _doneHere;
        private int _lastWave = -1;
        private long _lastReport;
        private volatile bool _halted;

        public Worker(TenantFleet fleet, ITenantFleetWork work, FleetRunOptions options, FleetLedgerRun run, int parallelism, IProgress<FleetProgress>? progress, long started)
        {
            _fleet = fleet;
            _work = work;
            _options = options;
            _run = run;
            _parallelism = parallelism;
            _progress = progress;
            _started = started;
        }

        /// <summary>Tenants this call gave an outcome (the rate of its progress and result).</summary>
        public int DoneHere => Volatile.Read(ref _doneHere);

        private IFleetLedger Ledger => _fleet._ledger;

        private TimeProvider Time => _fleet._time;

        public async Task<FleetLedgerRun> RunAsync(CancellationToken cancellationToken)
        {
            var counts = await Ledger.CountAsync(_run.RunId, cancellationToken).ConfigureAwait(false);
            FleetLog.RunJoined(_fleet._logger, _run.RunId, _run.Work, counts.Pending, counts.Running, _parallelism);
            if (_options.MaxParked is { } maxParked && counts.Parked >= maxParked)
            {
                await HaltIfOverAsync(maxParked).ConfigureAwait(false); // a halted run rerun with its parked tenants left parked
                return _run;
            }

            using var stopRenewing = new CancellationTokenSource();
            var renewing = RenewAsync(stopRenewing.Token);
            try
            {
                await LoopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller stopped the run: nothing new starts; the result below says where the run stands.
            }
            finally
            {
                // Cancellation stops starting tenants; the running ones finish (each within its timeout) and are recorded.
                await Task.WhenAll(_running.Keys).ConfigureAwait(false);
                await stopRenewing.CancelAsync().ConfigureAwait(false);
                await renewing.ConfigureAwait(false);
            }

            counts = await Ledger.CountAsync(_run.RunId, CancellationToken.None).ConfigureAwait(false);
            if (counts.Pending + counts.Running == 0)
            {
                _run = await Ledger.EndRunAsync(_run.RunId, FleetRunState.Completed, null, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                _run = await Ledger.GetRunAsync(_run.RunId, CancellationToken.None).ConfigureAwait(false) ?? _run;
            }

            await ReportAsync(counts, force: true).ConfigureAwait(false);
            return _run;
        }

        private async Task LoopAsync(CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested && !_halted)
            {
                if (_running.Count < _parallelism)
                {
                    var claimed = await Ledger.ClaimAsync(_run.RunId, _owner, _parallelism - _running.Count, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
                    foreach (var entry in claimed)
                    {
                        AnnounceWave(entry.Wave);
                        _running.Add(RunTenantAsync(entry), entry.TenantId);
                    }
                }

                FleetLedgerCounts? counts = null;
                if (_running.Count == 0)
                {
                    counts = await Ledger.CountAsync(_run.RunId, cancellationToken).ConfigureAwait(false);
                    if (counts.Pending + counts.Running == 0)
                    {
                        return;
                    }

                    var stored = await Ledger.GetRunAsync(_run.RunId, cancellationToken).ConfigureAwait(false);
                    if (stored is null || stored.State != FleetRunState.Running)
                    {
                        _run = stored ?? _run;
                        return;
                    }

                    await ReportAsync(counts, force: false).ConfigureAwait(false);
                    // Nothing to start: others hold the wave's rest, or retries wait for their time. Look again when the
                    // first of those can change, at the latest after the poll interval.
                    await Task.Delay(WaitFor(counts), Time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Wait for a tenant to end, or the poll interval: free slots look for claimable tenants again (a retry's
                // time came, another worker's lease passed) and progress is reported while long tenants run.
                using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var poll = Task.Delay(_fleet.PollInterval, Time, stopPolling.Token);
                var first = await Task.WhenAny(_running.Keys.Append(poll)).ConfigureAwait(false);
                await stopPolling.CancelAsync().ConfigureAwait(false);
                if (first != poll)
                {
                    _running.Remove(first);
                    await first.ConfigureAwait(false); // never throws: RunTenantAsync records every failure
                    await ReportAsync(null, force: true).ConfigureAwait(false);
                }
                else
                {
                    await ReportAsync(null, force: false).ConfigureAwait(false);
                }
            }
        }

        private TimeSpan WaitFor(FleetLedgerCounts counts)
        {
            var now = CatalogRules.Now(Time);
            var next = new[] { counts.NextNotBefore, counts.NextLeaseEnd }.Where(t => t is not null).Select(t => t!.Value - now).DefaultIfEmpty(_fleet.PollInterval).Min();
            return next < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : next > _fleet.PollInterval ? _fleet.PollInterval : next;
        }

        private void AnnounceWave(int wave)
        {
            if (wave > _lastWave)
            {
                _lastWave = wave;
                FleetLog.WaveStarted(_fleet._logger, _run.RunId, wave, _run.Waves);
            }
        }

        /// <summary>One attempt on one tenant, recorded whatever happens (a ledger failure leaves the lease to run out).</summary>
        private async Task RunTenantAsync(FleetLedgerEntry entry)
        {
            await Task.Yield();
            var started = Time.GetTimestamp();
            using var timeout = new CancellationTokenSource(_options.TenantTimeout, Time);
            FleetTenantState state;
            string? error = null;
            DateTimeOffset? notBefore = null;
            string outcome;
            try
            {
                var tenant = await _fleet._catalog.GetAsync(entry.TenantId, timeout.Token).ConfigureAwait(false);
                if (tenant is null || tenant.State != TenantState.Ready)
                {
                    (state, outcome) = (FleetTenantState.Skipped, "skipped");
                }
                else if (_work.Plan(tenant).Action == FleetTenantAction.Skip)
                {
                    (state, outcome) = (FleetTenantState.Skipped, "skipped"); // done meanwhile (for example on its first connection)
                }
                else
                {
                    var result = await _work.ExecuteAsync(new FleetTenantContext(_run.RunId, tenant, entry.Attempts, entry.Wave), timeout.Token).ConfigureAwait(false);
                    (state, outcome) = result == FleetTenantOutcome.Deferred ? (FleetTenantState.Deferred, "deferred") : (FleetTenantState.Succeeded, "succeeded");
                    FleetLog.TenantSucceeded(_fleet._logger, _run.RunId, entry.TenantId.Value, result, Time.GetElapsedTime(started).TotalMilliseconds, entry.Attempts);
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                var timedOut = timeout.IsCancellationRequested;
                error = timedOut
                    ? string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.TenantTimeout}: ") + FleetRunRules.DescribeError(exception)
                    : FleetRunRules.DescribeError(exception);
                if ((timedOut || TransientFailures.IsTransient(exception)) && entry.Attempts < _options.MaxAttempts)
                {
                    var backoff = FleetRunRules.Backoff(_options.RetryBackoff, entry.Attempts);
                    (state, outcome, notBefore) = (FleetTenantState.Pending, "retried", CatalogRules.Now(Time) + backoff);
                    FleetLog.TenantRetrying(_fleet._logger, _run.RunId, entry.TenantId.Value, entry.Attempts, _options.MaxAttempts, backoff, error);
                }
                else
                {
                    (state, outcome) = (FleetTenantState.Parked, "parked");
                    FleetLog.TenantParked(_fleet._logger, _run.RunId, entry.TenantId.Value, entry.Attempts, error);
                }
            }

            _fleet._metrics.Ended(_work.Name, outcome, Time.GetElapsedTime(started));
            try
            {
                if (!await Ledger.FinishAsync(_run.RunId, entry.TenantId, _owner, state, error, notBefore, CancellationToken.None).ConfigureAwait(false))
                {
                    FleetLog.LeaseLost(_fleet._logger, _run.RunId, entry.TenantId.Value, state);
                    return;
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                FleetLog.LedgerFailed(_fleet._logger, exception, _run.RunId, "written for tenant " + entry.TenantId.Value);
                return;
            }

            if (state != FleetTenantState.Pending)
            {
                Interlocked.Increment(ref _doneHere);
            }

            if (state == FleetTenantState.Parked && _options.MaxParked is { } maxParked)
            {
                await HaltIfOverAsync(maxParked).ConfigureAwait(false);
            }
        }

        private async Task HaltIfOverAsync(int maxParked)
        {
            try
            {
                var counts = await Ledger.CountAsync(_run.RunId, CancellationToken.None).ConfigureAwait(false);
                if (counts.Parked >= maxParked)
                {
                    var reason = string.Create(CultureInfo.InvariantCulture, $"{counts.Parked} tenant(s) parked (MaxParked {maxParked}); {counts.Pending} not started");
                    var run = await Ledger.EndRunAsync(_run.RunId, FleetRunState.Halted, reason, CancellationToken.None).ConfigureAwait(false);
                    if (!_halted)
                    {
                        _halted = true;
                        _run = run;
                        FleetLog.RunHalted(_fleet._logger, _run.RunId, run.HaltReason ?? reason);
                    }
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                FleetLog.LedgerFailed(_fleet._logger, exception, _run.RunId, "read to check the failure threshold");
            }
        }

        private async Task RenewAsync(CancellationToken stop)
        {
            var every = _options.LeaseDuration / 3;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(every, Time, stop).ConfigureAwait(false);
                    await Ledger.RenewAsync(_run.RunId, _owner, _options.LeaseDuration, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    FleetLog.LedgerFailed(_fleet._logger, exception, _run.RunId, "renewed");
                }
            }
        }

        private async Task ReportAsync(FleetLedgerCounts? counts, bool force)
        {
            if (_progress is null)
            {
                return;
            }

            // A snapshot per outcome and per poll, from the ledger (every instance's work); polls at most every 250 ms.
            var now = Time.GetTimestamp();
            if (!force && counts is null && Time.GetElapsedTime(Interlocked.Read(ref _lastReport), now) < TimeSpan.FromMilliseconds(250))
            {
                return;
            }

            Interlocked.Exchange(ref _lastReport, now);
            counts ??= await Ledger.CountAsync(_run.RunId, CancellationToken.None).ConfigureAwait(false);
            _progress.Report(Snapshot(_run, counts, Volatile.Read(ref _doneHere), Time.GetElapsedTime(_started)));
        }
    }
}
