using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>The worker of one <see cref="ITenantFleet.RunAsync"/> call (the engine is in TenantFleet.cs).</summary>
internal sealed partial class TenantFleet
{
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
            try
            {
                _progress.Report(Snapshot(_run, counts, Volatile.Read(ref _doneHere), Time.GetElapsedTime(_started)));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The caller's handler failed: its display, not the run. Logged once per failure; the run goes on.
                FleetLog.ProgressFailed(_fleet._logger, exception, _run.RunId);
            }
        }
    }
}
