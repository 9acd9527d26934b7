using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Tests.Connections;
using static Neon.Tenancy.Tests.Fleet.FleetTestData;

namespace Neon.Tenancy.Tests.Fleet;

/// <summary>The fleet engine over the in-memory ledger: selection, waves, retries, parking, halting, reruns, leases, progress.</summary>
public sealed class TenantFleetTests
{
    private readonly InMemoryTenantCatalog _catalog = new();
    private readonly InMemoryFleetLedger _ledger = new();

    [Fact]
    public async Task RunAsync_WorksEveryReadyTenantOnce_AndSkipsTheOthersWithTheirState()
    {
        var ready = await AddTenantsAsync(_catalog, 20);
        await AddTenantsAsync(_catalog, 2, "susp", TenantState.Suspended);
        await AddTenantsAsync(_catalog, 1, "prov", TenantState.Provisioning);
        var work = new RecordingWork();

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run()).WaitAsync(Wait);

        Assert.Equal(FleetRunState.Completed, result.State);
        Assert.Equal((23, 20, 3, 0, 0), (result.Progress.Total, result.Progress.Succeeded, result.Progress.Skipped, result.Progress.Parked, result.Progress.Pending));
        Assert.All(ready, t => Assert.Equal(1, work.Attempts[t]));
        Assert.Equal("not ready: suspended", Assert.Single(result.Tenants, t => t.TenantId.Value == "susp-000").Description);
        Assert.Equal("not ready: provisioning", Assert.Single(result.Tenants, t => t.TenantId.Value == "prov-000").Description);
        Assert.All(result.Tenants.Where(t => t.State == FleetTenantState.Succeeded), t => Assert.NotNull(t.EndedAt));
    }

    [Fact]
    public async Task RunAsync_WithNothingToDo_ReadsTheCatalogOnce_RecordsNothing_AndTouchesNoTenant()
    {
        await AddTenantsAsync(_catalog, 300, schemaVersion: 5);
        var counting = new CountingCatalog(_catalog);
        var work = new RecordingWork(plan: t => FleetTenantDecision.Skip($"at version {t.SchemaVersion}"));

        var result = await Engine(counting, _ledger).RunAsync(work, Run()).WaitAsync(Wait);

        Assert.Equal(FleetRunState.NothingToDo, result.State);
        Assert.Equal(300, result.Progress.Skipped);
        Assert.Equal(1, counting.Lists); // one page of up to 1,000 tenants
        Assert.Equal(0, counting.Reads);
        Assert.Empty(work.Attempts);
        Assert.Null(await _ledger.GetRunAsync("run-1", default));
    }

    [Fact]
    public async Task RunAsync_FinishesTheCanaryWave_BeforeTheNextWaveStarts()
    {
        await AddTenantsAsync(_catalog, 13);
        var work = new RecordingWork();

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run() with { CanaryCount = 3, WaveSize = 5, MaxParallelism = 4 }).WaitAsync(Wait);

        Assert.Equal(3, result.Progress.Waves);
        Assert.Equal([3, 5, 5], result.Tenants.GroupBy(t => t.Wave).OrderBy(g => g.Key).Select(g => g.Count()));
        var log = work.Log.ToList();
        for (var wave = 1; wave < 3; wave++)
        {
            var lastEndBefore = log.Where(a => a.Wave < wave).Max(a => a.Ended);
            var firstStart = log.Where(a => a.Wave == wave).Min(a => a.Started);
            Assert.True(firstStart > lastEndBefore, $"wave {wave} started (#{firstStart}) before wave {wave - 1} ended (#{lastEndBefore})");
        }
    }

    [Fact]
    public async Task PlanAsync_CanaryIsASample_SameForEveryCaller_AndChangesNothing()
    {
        await AddTenantsAsync(_catalog, 100);
        var work = new RecordingWork();
        var engine = Engine(_catalog, _ledger);

        var plan = await engine.PlanAsync(work, Run() with { CanaryShare = 0.05 });
        var again = await engine.PlanAsync(work, Run() with { CanaryShare = 0.05 });

        var canary = plan.Tenants.Where(t => t.Wave == 0).Select(t => t.TenantId.Value).ToList();
        Assert.Equal(5, canary.Count);
        Assert.NotEqual(["t-000", "t-001", "t-002", "t-003", "t-004"], canary);
        Assert.Equal(canary, again.Tenants.Where(t => t.Wave == 0).Select(t => t.TenantId.Value));
        Assert.Equal(100, plan.ToRun);
        Assert.False(plan.Recorded);
        Assert.Empty(work.Attempts);
        Assert.Null(await _ledger.GetRunAsync("run-1", default));
    }

    [Fact]
    public async Task RunAsync_RetriesTransientFailures_AndParksTheOthersWithTheirError_WhileTheRestGoOn()
    {
        var ids = await AddTenantsAsync(_catalog, 10);
        var work = new RecordingWork(async (context, token) =>
        {
            await Task.Yield();
            return context.TenantId.Value switch
            {
                "t-001" when context.Attempt < 3 => throw new TimeoutException("slow"),
                "t-002" => throw new InvalidOperationException("column \"x\" does not exist"),
                "t-003" => throw new TimeoutException("always slow"),
                _ => FleetTenantOutcome.Succeeded,
            };
        });

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run() with { MaxAttempts = 3 }).WaitAsync(Wait);

        Assert.Equal(FleetRunState.Completed, result.State);
        var entries = result.Tenants.ToDictionary(t => t.TenantId.Value);
        Assert.Equal((FleetTenantState.Succeeded, 3), (entries["t-001"].State, entries["t-001"].Attempts));
        Assert.Equal((FleetTenantState.Parked, 1), (entries["t-002"].State, entries["t-002"].Attempts));
        Assert.Equal("InvalidOperationException", entries["t-002"].Error); // a foreign message may quote a secret: its type only
        Assert.Equal((FleetTenantState.Parked, 3), (entries["t-003"].State, entries["t-003"].Attempts));
        Assert.Contains("always slow", entries["t-003"].Error);
        Assert.Equal(8, result.Progress.Succeeded);
        Assert.Equal(2, result.Progress.Parked);
        Assert.True(result.Progress.TenantsPerMinute > 0);
        Assert.Equal(TimeSpan.Zero, result.Progress.EstimatedRemaining);
    }

    [Fact]
    public async Task RunAsync_TimesOutATenant_AsATransientFailure()
    {
        await AddTenantsAsync(_catalog, 2);
        var work = new RecordingWork(async (context, token) =>
        {
            if (context.TenantId.Value == "t-000")
            {
                await Task.Delay(System.Threading.Timeout.Infinite, token);
            }

            return FleetTenantOutcome.Succeeded;
        });

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run() with { TenantTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 2 }).WaitAsync(Wait);

        var stuck = Assert.Single(result.Tenants, t => t.TenantId.Value == "t-000");
        Assert.Equal((FleetTenantState.Parked, 2), (stuck.State, stuck.Attempts));
        Assert.StartsWith("timed out after 00:00:01", stuck.Error);
        Assert.Equal(1, result.Progress.Succeeded);
    }

    [Fact]
    public async Task RunAsync_HaltsAtTheFailureThreshold_AndARerunRetriesParkedTenantsOnlyWhenAsked()
    {
        var ids = await AddTenantsAsync(_catalog, 30);
        var failing = new RecordingWork(async (_, _) => { await Task.Yield(); throw new InvalidOperationException("broken"); });
        var engine = Engine(_catalog, _ledger);
        var options = Run() with { MaxParked = 3, MaxParallelism = 1 };

        var halted = await engine.RunAsync(failing, options).WaitAsync(Wait);

        Assert.Equal(FleetRunState.Halted, halted.State);
        Assert.Equal((3, 27), (halted.Progress.Parked, halted.Progress.Pending));
        Assert.Contains("3 tenant(s) parked (MaxParked 3)", halted.HaltReason);

        var again = await engine.RunAsync(failing, options).WaitAsync(Wait);
        Assert.Equal(FleetRunState.Halted, again.State);
        Assert.Equal(3, failing.Attempts.Values.Sum()); // no tenant tried again: still the 3 first attempts

        var fixedWork = new RecordingWork();
        var done = await engine.RunAsync(fixedWork, options with { RetryParked = true }).WaitAsync(Wait);
        Assert.Equal(FleetRunState.Completed, done.State);
        Assert.Equal(30, done.Progress.Succeeded);
        Assert.All(ids, t => Assert.Equal(1, fixedWork.Attempts[t]));
    }

    [Fact]
    public async Task RunAsync_Cancelled_LetsRunningTenantsFinish_AndTheRerunDoesEachRemainingTenantOnce()
    {
        var ids = await AddTenantsAsync(_catalog, 40);
        using var cancel = new CancellationTokenSource();
        var work = new RecordingWork(async (context, token) =>
        {
            if (work_done(context) == 10)
            {
                await cancel.CancelAsync();
            }

            await Task.Delay(20, CancellationToken.None);
            return FleetTenantOutcome.Succeeded;
        });
        var engine = Engine(_catalog, _ledger);

        var stopped = await engine.RunAsync(work, Run() with { MaxParallelism = 4 }, cancellationToken: cancel.Token).WaitAsync(Wait);

        Assert.Equal(FleetRunState.Running, stopped.State);
        Assert.Equal(0, stopped.Progress.Running); // every tenant started has an outcome
        Assert.InRange(stopped.Progress.Succeeded, 10, 39);
        var resumed = await engine.RunAsync(work, Run() with { MaxParallelism = 4 }).WaitAsync(Wait);
        Assert.Equal(FleetRunState.Completed, resumed.State);
        Assert.Equal(40, resumed.Progress.Succeeded);
        Assert.All(ids, t => Assert.Equal(1, work.Attempts[t]));

        static int work_done(FleetTenantContext context) => int.Parse(context.TenantId.Value[2..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileWaitingForAnotherWorker_ReturnsWhereTheRunStands()
    {
        await AddTenantsAsync(_catalog, 3);
        var work = new RecordingWork();
        var (entries, waves) = await FleetRunRules.PlanAsync(_catalog, work, Run(), default);
        await _ledger.CreateRunAsync(new FleetLedgerRun("run-1", work.Name, waves, FleetRunState.Running, null, default, default), entries, default);
        await _ledger.ClaimAsync("run-1", "another-instance", 3, TimeSpan.FromMinutes(5), default);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run(), cancellationToken: cancel.Token).WaitAsync(Wait);

        Assert.Equal((FleetRunState.Running, 3), (result.State, result.Progress.Running));
        Assert.Empty(work.Attempts);
    }

    [Fact]
    public async Task RunAsync_TwoWorkersOnOneRun_DoEveryTenantOnce()
    {
        var ids = await AddTenantsAsync(_catalog, 60);
        var work = new RecordingWork();
        var engine = Engine(_catalog, _ledger);

        var results = await Task.WhenAll(
            engine.RunAsync(work, Run() with { MaxParallelism = 3 }),
            engine.RunAsync(work, Run() with { MaxParallelism = 3 })).WaitAsync(Wait);

        Assert.All(results, r => Assert.Equal(60, r.Progress.Succeeded));
        Assert.All(ids, t => Assert.Equal(1, work.Attempts[t]));
    }

    [Fact]
    public async Task RunAsync_TakesOverTheTenantsOfAWorkerThatStoppedRenewing()
    {
        var ids = await AddTenantsAsync(_catalog, 5);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
        var ledger = new InMemoryFleetLedger(clock);
        var work = new RecordingWork();
        var (entries, waves) = await FleetRunRules.PlanAsync(_catalog, work, Run(), default);
        await ledger.CreateRunAsync(new FleetLedgerRun("run-1", work.Name, waves, FleetRunState.Running, null, default, default), entries, default);
        var lost = await ledger.ClaimAsync("run-1", "dead-instance", 2, TimeSpan.FromSeconds(30), default);
        clock.Advance(TimeSpan.FromHours(1)); // its lease passed long ago

        var result = await Engine(_catalog, ledger).RunAsync(work, Run()).WaitAsync(Wait);

        Assert.Equal(5, result.Progress.Succeeded);
        Assert.All(lost, e => Assert.Equal(2, Assert.Single(result.Tenants, t => t.TenantId == e.TenantId).Attempts));
        Assert.False(await ledger.FinishAsync("run-1", lost[0].TenantId, "dead-instance", FleetTenantState.Succeeded, null, null, default));
    }

    [Fact]
    public async Task RunAsync_KeepsParallelismInsideTheConnectionBudget_AndSaysSo()
    {
        await AddTenantsAsync(_catalog, 24);
        var work = new RecordingWork(async (_, token) => { await Task.Delay(30, token); return FleetTenantOutcome.Succeeded; });

        var result = await Engine(_catalog, _ledger, connectionBudget: 6).RunAsync(work, Run() with { MaxParallelism = 16 }).WaitAsync(Wait);

        Assert.Equal((3, "connection budget"), (result.Parallelism, result.ParallelismBound));
        Assert.InRange(work.MaxRunning, 1, 3);
    }

    [Fact]
    public async Task RunAsync_ReportsProgress_EndingWithEveryTenantDone()
    {
        await AddTenantsAsync(_catalog, 12);
        await AddTenantsAsync(_catalog, 3, "deferred");
        var progress = new ProgressLog();
        var work = new RecordingWork(plan: t => t.TenantId.Value.StartsWith("deferred", StringComparison.Ordinal) ? FleetTenantDecision.Defer("first connection") : FleetTenantDecision.Run());

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run(), progress).WaitAsync(Wait);

        var last = progress.Snapshots.Last();
        Assert.Equal((15, 15, 12, 3, 0), (last.Total, last.Done, last.Succeeded, last.Deferred, last.Running));
        Assert.True(last.TenantsPerMinute > 0);
        Assert.Equal(TimeSpan.Zero, last.EstimatedRemaining);
        Assert.True(progress.Snapshots.Count >= 2);
        Assert.Equal(3, result.Tenants.Count(t => t.State == FleetTenantState.Deferred && t.Description == "first connection"));
    }

    [Fact]
    public async Task RunAsync_RefusesARecordedRunIdOfAnotherWork_AndBadOptions_NamingThem()
    {
        await AddTenantsAsync(_catalog, 2);
        var engine = Engine(_catalog, _ledger);
        await engine.RunAsync(new RecordingWork(name: "migrate to 3"), Run());

        var other = await Assert.ThrowsAsync<ArgumentException>(() => engine.RunAsync(new RecordingWork(name: "migrate to 4"), Run()));
        Assert.Contains("'migrate to 3', not 'migrate to 4'", other.Message);
        Assert.Contains("MaxParallelism", (await Assert.ThrowsAsync<ArgumentException>(() => engine.RunAsync(new RecordingWork(), Run() with { MaxParallelism = 0 }))).Message);
        Assert.Contains("run id", (await Assert.ThrowsAsync<ArgumentException>(() => engine.RunAsync(new RecordingWork(), Run() with { RunId = "drop table;" }))).Message);
        Assert.Contains("CanaryShare", (await Assert.ThrowsAsync<ArgumentException>(() => engine.PlanAsync(new RecordingWork(), Run() with { CanaryShare = 2 }))).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => engine.GetRunAsync("bad id!"));
    }

    [Fact]
    public async Task RunAsync_SelectsByPlanRegionAndPredicate()
    {
        await AddTenantsAsync(_catalog, 4, "free");
        await AddTenantsAsync(_catalog, 4, "pro", plan: "pro");
        var work = new RecordingWork();

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run() with
        {
            Tenants = new FleetTenantFilter { Plans = ["pro"], Predicate = t => t.TenantId.Value != "pro-001" },
        }).WaitAsync(Wait);

        Assert.Equal(["pro-000", "pro-002", "pro-003"], result.Tenants.Select(t => t.TenantId.Value).Order(StringComparer.Ordinal));
        var none = await Engine(_catalog, _ledger).PlanAsync(work, Run("run-2") with { Tenants = new FleetTenantFilter { Regions = ["aws-eu-central-1"] } });
        Assert.Empty(none.Tenants);
    }
}
