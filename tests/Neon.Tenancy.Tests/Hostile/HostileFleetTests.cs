using Neon.Tenancy.Tests.Fleet;
using static Neon.Tenancy.Tests.Fleet.FleetTestData;

namespace Neon.Tenancy.Tests.Hostile;

/// <summary>The fleet engine against what a careless or hostile caller hands it: bad ids and options, work that throws or lies, a progress handler that throws.</summary>
public sealed class HostileFleetTests
{
    private readonly InMemoryTenantCatalog _catalog = new();
    private readonly InMemoryFleetLedger _ledger = new();

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("unicode-\u00e9")]
    [InlineData("new\nline")]
    public async Task RunIds_OutsideTheirAlphabet_AreRefusedNamingTheRule(string runId)
    {
        var failure = await Assert.ThrowsAsync<ArgumentException>(() => Engine(_catalog, _ledger).RunAsync(new RecordingWork(), Run() with { RunId = runId }));

        Assert.Contains("fleet run id must be 1 to 128 characters", failure.Message);
        Assert.Null(await _ledger.GetRunAsync("run-1", default)); // nothing recorded under any id
    }

    [Fact]
    public async Task Options_OutOfRange_AreRefusedNamingTheOption()
    {
        var engine = Engine(_catalog, _ledger);
        (FleetRunOptions Options, string Name)[] cases =
        [
            (Run() with { RunId = new string('a', 129) }, "run id"),
            (Run() with { CanaryShare = double.NaN }, "CanaryShare"),
            (Run() with { CanaryShare = -0.1 }, "CanaryShare"),
            (Run() with { CanaryCount = -1 }, "CanaryCount"),
            (Run() with { WaveSize = -5 }, "WaveSize"),
            (Run() with { MaxParallelism = 257 }, "MaxParallelism"),
            (Run() with { MaxAttempts = 0 }, "MaxAttempts"),
            (Run() with { MaxParked = 0 }, "MaxParked"),
            (Run() with { TenantTimeout = TimeSpan.Zero }, "TenantTimeout"),
            (Run() with { TenantTimeout = TimeSpan.FromDays(2) }, "TenantTimeout"),
            (Run() with { RetryBackoff = TimeSpan.FromSeconds(-1) }, "RetryBackoff"),
            (Run() with { LeaseDuration = TimeSpan.FromSeconds(1) }, "LeaseDuration"),
        ];
        foreach (var (options, name) in cases)
        {
            Assert.Contains(name, (await Assert.ThrowsAsync<ArgumentException>(() => engine.RunAsync(new RecordingWork(), options))).Message);
        }

        await Assert.ThrowsAsync<ArgumentNullException>(() => engine.RunAsync(null!, Run()));
        await Assert.ThrowsAsync<ArgumentNullException>(() => engine.RunAsync(new RecordingWork(), null!));
        Assert.Contains("Name", (await Assert.ThrowsAsync<ArgumentException>(() => engine.RunAsync(new RecordingWork(name: " "), Run()))).Message);
        Assert.Contains("Name", (await Assert.ThrowsAsync<ArgumentException>(() => engine.RunAsync(new RecordingWork(name: new string('w', 129)), Run()))).Message);
    }

    [Fact]
    public async Task WorkThatThrowsFromPlanOrReturnsUndefinedValues_ParksOrSkips_AndTheRunEnds()
    {
        await AddTenantsAsync(_catalog, 6);
        var calls = 0;
        var work = new RecordingWork(
            body: async (context, _) => { await Task.Yield(); return context.TenantId.Value == "t-001" ? (FleetTenantOutcome)42 : FleetTenantOutcome.Succeeded; },
            plan: tenant => tenant.TenantId.Value switch
            {
                "t-000" => (FleetTenantAction)99 is var undefined ? new FleetTenantDecision(undefined, "??") : default,
                // Planned to run, then its decision throws when the engine asks again before working it.
                "t-002" when Interlocked.Increment(ref calls) > 1 => throw new InvalidOperationException("plan broke"),
                _ => FleetTenantDecision.Run(),
            });

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run()).WaitAsync(Wait);

        var entries = result.Tenants.ToDictionary(t => t.TenantId.Value);
        Assert.Equal(FleetRunState.Completed, result.State);
        Assert.Equal(FleetTenantState.Skipped, entries["t-000"].State); // an undefined decision does nothing
        Assert.Equal(FleetTenantState.Succeeded, entries["t-001"].State); // an undefined outcome counts as done
        Assert.Equal((FleetTenantState.Parked, "InvalidOperationException"), (entries["t-002"].State, entries["t-002"].Error));
    }

    [Fact]
    public async Task AProgressHandlerThatThrows_DoesNotStopTheRun()
    {
        await AddTenantsAsync(_catalog, 8);
        var work = new RecordingWork();

        var result = await Engine(_catalog, _ledger).RunAsync(work, Run(), new ThrowingProgress()).WaitAsync(Wait);

        Assert.Equal((FleetRunState.Completed, 8), (result.State, result.Progress.Succeeded));
    }

    [Fact]
    public async Task AFilterPredicateThatThrows_FailsThePlan_BeforeAnythingIsRecorded()
    {
        await AddTenantsAsync(_catalog, 2);
        var options = Run() with { Tenants = new FleetTenantFilter { Predicate = _ => throw new InvalidOperationException("bad predicate") } };

        await Assert.ThrowsAsync<InvalidOperationException>(() => Engine(_catalog, _ledger).RunAsync(new RecordingWork(), options));

        Assert.Null(await _ledger.GetRunAsync("run-1", default));
    }

    private sealed class ThrowingProgress : IProgress<FleetProgress>
    {
        public void Report(FleetProgress value) => throw new InvalidOperationException("the display broke");
    }
}
