using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Tests.Fleet;

/// <summary>
/// What every <see cref="IFleetLedger"/> does, run against each implementation (<see cref="InMemoryFleetLedgerTests"/>,
/// <see cref="PostgresFleetLedgerTests"/>): a fresh ledger per case on a <see cref="FakeTimeProvider"/>.
/// </summary>
public abstract class FleetLedgerContract : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private IFleetLedger? _ledger;

    /// <summary>The clock of every ledger of the case.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private protected IFleetLedger Ledger => _ledger ?? throw new InvalidOperationException("Not initialized.");

    private DateTimeOffset Now => Time.GetUtcNow();

    public Task InitializeAsync()
    {
        _ledger = CreateLedger(Time);
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A ledger on <paramref name="time"/>; every ledger of one case shares its runs where the implementation can (another instance over one database).</summary>
    private protected abstract IFleetLedger CreateLedger(TimeProvider time);

    [Fact]
    public async Task CreateRun_SameIdTwice_SecondReturnsTheStoredRunAndWritesNothing()
    {
        var (run, created) = await Ledger.CreateRunAsync(Run("r1", waves: 1, work: "migrate"), [Entry("a", 0, description: "to v3")], default);
        Time.Advance(TimeSpan.FromMinutes(1));

        var (again, createdAgain) = await Ledger.CreateRunAsync(Run("r1", waves: 3, work: "other"), [Entry("b", 0), Entry("c", 2)], default);

        Assert.True(created);
        Assert.Equal(("r1", "migrate", 1, FleetRunState.Running, (string?)null), (run.RunId, run.Work, run.Waves, run.State, run.HaltReason));
        Assert.Equal((Now.AddMinutes(-1), Now.AddMinutes(-1)), (run.CreatedAt, run.UpdatedAt));
        Assert.False(createdAgain);
        Assert.Equal(run, again);
        Assert.Equal(run, await Ledger.GetRunAsync("r1", default));
        Assert.Equal([Entry("a", 0, description: "to v3")], await Ledger.GetEntriesAsync("r1", default));
    }

    [Fact]
    public async Task CreateRun_EntriesAsGiven_ReadBackByWaveThenOrdinalTenantIdAtMicroseconds()
    {
        var started = Now.AddTicks(7); // 0.7 microseconds: stored truncated
        FleetLedgerEntry[] given =
        [
            Entry("b", 1, FleetTenantState.Deferred, description: "at first connection"),
            Entry("ab", 0, FleetTenantState.Skipped, description: "nothing to do"),
            Entry("z", 0, FleetTenantState.Parked, attempts: 3, error: "TimeoutException: slow", startedAt: started, endedAt: started.AddSeconds(1)),
            Entry("a-c", 0, FleetTenantState.Pending, attempts: 1, error: "NpgsqlException: gone", startedAt: started, notBefore: started.AddMinutes(1)),
            Entry("a", 1),
        ];

        await Ledger.CreateRunAsync(Run("r1", waves: 2), given, default);
        var entries = await Ledger.GetEntriesAsync("r1", default);

        // Ordinal: '-' sorts before letters ("a-c" < "ab"); a culture-aware order that ignores the hyphen would not.
        Assert.Equal(["a-c", "ab", "z", "a", "b"], entries.Select(e => e.TenantId.Value));
        Assert.Equal(given[3] with { StartedAt = Now, NotBefore = Now.AddMinutes(1) }, entries[0]);
        Assert.Equal(given[1], entries[1]);
        Assert.Equal(given[2] with { StartedAt = Now, EndedAt = Now.AddSeconds(1) }, entries[2]);
        Assert.Equal(given[4], entries[3]);
        Assert.Equal(given[0], entries[4]);
    }

    [Fact]
    public async Task CreateRun_TenantListedTwice_RefusedAndNothingRecorded()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Ledger.CreateRunAsync(Run("r1", waves: 2), [Entry("a", 0), Entry("a", 1)], default));

        Assert.Null(await Ledger.GetRunAsync("r1", default));
    }

    [Fact]
    public async Task Reads_RunNotRecorded_NullEmptyAndZeroCounts()
    {
        Assert.Null(await Ledger.GetRunAsync("missing", default));
        Assert.Empty(await Ledger.GetEntriesAsync("missing", default));
        Assert.Equal(new FleetLedgerCounts(0, 0, 0, 0, 0, 0, 0, 0, null, null), await Ledger.CountAsync("missing", default));
        Assert.Empty(await Ledger.ClaimAsync("missing", "o1", 5, Lease, default));
        Assert.Equal(0, await Ledger.RenewAsync("missing", "o1", Lease, default));
        Assert.False(await Ledger.FinishAsync("missing", TenantId.Parse("a"), "o1", FleetTenantState.Succeeded, null, null, default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Ledger.EndRunAsync("missing", FleetRunState.Halted, "x", default));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Ledger.ReopenAsync("missing", requeueParked: true, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Ledger.GetRunAsync("", default));
    }

    [Fact]
    public async Task Claim_CurrentWaveInTenantOrder_NextWaveOnlyOnceTheWaveHasNoPendingOrRunningEntry()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 2), [Entry("c", 0), Entry("d", 1), Entry("a", 0), Entry("b", 0)], default);

        var first = await Ledger.ClaimAsync("r1", "o1", 10, Lease, default);

        Assert.Equal(["a", "b", "c"], first.Select(e => e.TenantId.Value));
        Assert.All(first, e => Assert.Equal(
            (FleetTenantState.Running, "o1", 1, (DateTimeOffset?)Now, (DateTimeOffset?)(Now + Lease), (DateTimeOffset?)null, (DateTimeOffset?)null),
            (e.State, e.Owner, e.Attempts, e.StartedAt, e.LeaseUntil, e.NotBefore, e.EndedAt)));
        Assert.Equal(first, (await Ledger.GetEntriesAsync("r1", default)).Take(3));

        Assert.Empty(await Ledger.ClaimAsync("r1", "o2", 10, Lease, default)); // wave 0 running, its leases holding
        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("a"), "o1", FleetTenantState.Succeeded, null, null, default));
        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("b"), "o1", FleetTenantState.Parked, "boom", null, default));
        Assert.Empty(await Ledger.ClaimAsync("r1", "o2", 10, Lease, default)); // "c" still running
        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("c"), "o1", FleetTenantState.Deferred, null, null, default));

        var second = Assert.Single(await Ledger.ClaimAsync("r1", "o2", 10, Lease, default));
        Assert.Equal(("d", 1, "o2"), (second.TenantId.Value, second.Wave, second.Owner));
    }

    [Fact]
    public async Task Claim_PendingEntryNotDueInTheCurrentWave_GatesTheNextWave()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 2), [Entry("a", 0, attempts: 1, notBefore: Now.AddMinutes(1)), Entry("b", 1)], default);

        Assert.Empty(await Ledger.ClaimAsync("r1", "o1", 10, Lease, default));
        Time.Advance(TimeSpan.FromMinutes(1));

        var claimed = Assert.Single(await Ledger.ClaimAsync("r1", "o1", 10, Lease, default));
        Assert.Equal(("a", 2, (DateTimeOffset?)null), (claimed.TenantId.Value, claimed.Attempts, claimed.NotBefore));
    }

    [Fact]
    public async Task Claim_Max_ClaimsAtMostMaxInTenantOrder()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("e", 0), Entry("d", 0), Entry("c", 0), Entry("b", 0), Entry("a", 0)], default);

        Assert.Empty(await Ledger.ClaimAsync("r1", "o1", 0, Lease, default));
        Assert.Equal(["a", "b"], (await Ledger.ClaimAsync("r1", "o1", 2, Lease, default)).Select(e => e.TenantId.Value));
        Assert.Equal(["c", "d"], (await Ledger.ClaimAsync("r1", "o2", 2, Lease, default)).Select(e => e.TenantId.Value));
        Assert.Equal(["e"], (await Ledger.ClaimAsync("r1", "o1", 2, Lease, default)).Select(e => e.TenantId.Value));
        Assert.Empty(await Ledger.ClaimAsync("r1", "o1", 2, Lease, default));
    }

    [Fact]
    public async Task Finish_PendingWithNotBefore_RetriedOnceDueWithItsAttemptCountedAndFirstStartKept()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0)], default);
        var start = Now;
        await Ledger.ClaimAsync("r1", "o1", 1, Lease, default);
        Time.Advance(TimeSpan.FromSeconds(10));
        var retryAt = Now.AddMinutes(1);

        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("a"), "o1", FleetTenantState.Pending, "NpgsqlException: gone", retryAt, default));

        Assert.Equal(
            [Entry("a", 0, FleetTenantState.Pending, attempts: 1, error: "NpgsqlException: gone", startedAt: start, notBefore: retryAt)],
            await Ledger.GetEntriesAsync("r1", default));
        Assert.Empty(await Ledger.ClaimAsync("r1", "o2", 1, Lease, default));
        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await Ledger.ClaimAsync("r1", "o2", 1, Lease, default));
        Time.Advance(TimeSpan.FromSeconds(1));

        var retried = Assert.Single(await Ledger.ClaimAsync("r1", "o2", 1, Lease, default));
        Assert.Equal(
            Entry("a", 0, FleetTenantState.Running, attempts: 2, error: "NpgsqlException: gone", startedAt: start, owner: "o2", leaseUntil: Now + Lease),
            retried);

        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("a"), "o2", FleetTenantState.Succeeded, null, Now.AddDays(1), default));
        Assert.Equal(
            [Entry("a", 0, FleetTenantState.Succeeded, attempts: 2, startedAt: start, endedAt: Now)],
            await Ledger.GetEntriesAsync("r1", default));
    }

    [Fact]
    public async Task Claim_LeasePassed_TakenOverWithTheLostAttemptCounted_FormerOwnerRefused()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0)], default);
        var start = Now;
        await Ledger.ClaimAsync("r1", "o1", 1, Lease, default);
        Time.Advance(Lease);
        Assert.Empty(await Ledger.ClaimAsync("r1", "o2", 1, Lease, default)); // the lease ends now: not passed yet
        Time.Advance(TimeSpan.FromTicks(10)); // one microsecond

        var taken = Assert.Single(await Ledger.ClaimAsync("r1", "o2", 1, Lease, default));
        var before = await Ledger.GetEntriesAsync("r1", default);

        Assert.Equal(Entry("a", 0, FleetTenantState.Running, attempts: 2, startedAt: start, owner: "o2", leaseUntil: Now + Lease), taken);
        Assert.False(await Ledger.FinishAsync("r1", TenantId.Parse("a"), "o1", FleetTenantState.Succeeded, null, null, default));
        Assert.Equal(0, await Ledger.RenewAsync("r1", "o1", Lease, default));
        Assert.Equal(before, await Ledger.GetEntriesAsync("r1", default));
    }

    [Fact]
    public async Task Finish_NotHeldByTheOwner_ReturnsFalseAndWritesNothing()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0), Entry("b", 0)], default);
        await Ledger.ClaimAsync("r1", "o1", 1, Lease, default);
        var before = await Ledger.GetEntriesAsync("r1", default);

        Assert.False(await Ledger.FinishAsync("r1", TenantId.Parse("a"), "o2", FleetTenantState.Succeeded, "x", null, default)); // another owner's
        Assert.False(await Ledger.FinishAsync("r1", TenantId.Parse("b"), "o1", FleetTenantState.Succeeded, "x", null, default)); // pending, held by none
        Assert.False(await Ledger.FinishAsync("r1", TenantId.Parse("c"), "o1", FleetTenantState.Succeeded, "x", null, default)); // not in the run

        Assert.Equal(before, await Ledger.GetEntriesAsync("r1", default));
    }

    [Fact]
    public async Task Finish_Outcomes_EndTimeSetOwnerAndLeaseClearedErrorAsGiven()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0, error: "earlier"), Entry("b", 0), Entry("c", 0)], default);
        var start = Now;
        await Ledger.ClaimAsync("r1", "o1", 3, Lease, default);
        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("a"), "o1", FleetTenantState.Succeeded, null, null, default));
        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("b"), "o1", FleetTenantState.Parked, "InvalidOperationException: no", Now.AddMinutes(1), default));
        Assert.True(await Ledger.FinishAsync("r1", TenantId.Parse("c"), "o1", FleetTenantState.Deferred, null, null, default));

        Assert.Equal(
            [
                Entry("a", 0, FleetTenantState.Succeeded, attempts: 1, startedAt: start, endedAt: Now),
                Entry("b", 0, FleetTenantState.Parked, attempts: 1, error: "InvalidOperationException: no", startedAt: start, endedAt: Now),
                Entry("c", 0, FleetTenantState.Deferred, attempts: 1, startedAt: start, endedAt: Now),
            ],
            await Ledger.GetEntriesAsync("r1", default));
    }

    [Fact]
    public async Task Count_EveryField_AsTheLedgerStandsNow()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 2),
        [
            Entry("a", 0),
            Entry("b", 0, attempts: 2, error: "e", notBefore: Now.AddMinutes(5)),
            Entry("c", 0, attempts: 1, error: "e", notBefore: Now.AddMinutes(-1)), // due: retrying, but no time to wait for
            Entry("d", 0, FleetTenantState.Running, attempts: 1, owner: "o", leaseUntil: Now.AddMinutes(2), startedAt: Now),
            Entry("e", 0, FleetTenantState.Running, attempts: 1, owner: "o", leaseUntil: Now.AddMinutes(1), startedAt: Now),
            Entry("f", 0, FleetTenantState.Succeeded, attempts: 1),
            Entry("g", 0, FleetTenantState.Parked, attempts: 3),
            Entry("h", 0, FleetTenantState.Skipped),
            Entry("i", 0, FleetTenantState.Deferred),
            Entry("j", 1, notBefore: Now.AddSeconds(30)), // not the current wave's: neither time counts
            Entry("k", 1, FleetTenantState.Running, attempts: 1, owner: "o", leaseUntil: Now.AddSeconds(10), startedAt: Now),
        ], default);

        var counts = await Ledger.CountAsync("r1", default);

        Assert.Equal(new FleetLedgerCounts(
            Pending: 4, Running: 3, Succeeded: 1, Parked: 1, Skipped: 1, Deferred: 1, Retrying: 2, Wave: 0,
            NextNotBefore: Now.AddMinutes(5), NextLeaseEnd: Now.AddMinutes(1)), counts);
        Assert.Equal(11, counts.Total);

        Time.Advance(TimeSpan.FromMinutes(5)); // b is due now: no retry time left to wait for
        Assert.Null((await Ledger.CountAsync("r1", default)).NextNotBefore);
    }

    [Fact]
    public async Task Count_WaveWithOnlyOutcomes_NextWaveIsCurrent_NoneOpen_WaveIsTheWaveCount()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 3), [Entry("a", 0, FleetTenantState.Succeeded), Entry("b", 1, notBefore: Now.AddMinutes(1))], default);
        await Ledger.CreateRunAsync(Run("r2", waves: 3), [Entry("a", 0, FleetTenantState.Succeeded), Entry("b", 1, FleetTenantState.Skipped)], default);
        await Ledger.CreateRunAsync(Run("r3", waves: 2), [], default);

        Assert.Equal(new FleetLedgerCounts(1, 0, 1, 0, 0, 0, 0, 1, Now.AddMinutes(1), null), await Ledger.CountAsync("r1", default));
        Assert.Equal(new FleetLedgerCounts(0, 0, 1, 0, 1, 0, 0, 3, null, null), await Ledger.CountAsync("r2", default));
        Assert.Equal(new FleetLedgerCounts(0, 0, 0, 0, 0, 0, 0, 2, null, null), await Ledger.CountAsync("r3", default));
    }

    [Fact]
    public async Task EndRun_OnlyFromRunning_LaterEndLeavesTheRunAsItIs()
    {
        var (run, _) = await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0)], default);
        Time.Advance(TimeSpan.FromMinutes(1));

        var halted = await Ledger.EndRunAsync("r1", FleetRunState.Halted, "3 tenants parked", default);
        Time.Advance(TimeSpan.FromMinutes(1));
        var again = await Ledger.EndRunAsync("r1", FleetRunState.Completed, null, default);

        Assert.Equal(run with { State = FleetRunState.Halted, HaltReason = "3 tenants parked", UpdatedAt = Now.AddMinutes(-1) }, halted);
        Assert.Equal(halted, again);
        Assert.Equal(halted, await Ledger.GetRunAsync("r1", default));
    }

    [Fact]
    public async Task Claim_HaltedRun_ClaimsNothing_UntilReopened()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0), Entry("b", 0)], default);
        await Ledger.EndRunAsync("r1", FleetRunState.Halted, "stop", default);

        Assert.Empty(await Ledger.ClaimAsync("r1", "o1", 5, Lease, default));
        Assert.Equal([Entry("a", 0), Entry("b", 0)], await Ledger.GetEntriesAsync("r1", default));

        await Ledger.ReopenAsync("r1", requeueParked: false, default);
        Assert.Equal(["a", "b"], (await Ledger.ClaimAsync("r1", "o1", 5, Lease, default)).Select(e => e.TenantId.Value));
    }

    [Fact]
    public async Task Reopen_WithoutRequeue_RunningAgainParkedStayParked()
    {
        var parked = Entry("a", 0, FleetTenantState.Parked, attempts: 3, error: "boom", startedAt: Now.AddMinutes(-2), endedAt: Now.AddMinutes(-1));
        var (run, _) = await Ledger.CreateRunAsync(Run("r1", waves: 1), [parked, Entry("b", 0, FleetTenantState.Succeeded)], default);
        await Ledger.EndRunAsync("r1", FleetRunState.Halted, "1 tenant parked", default);
        Time.Advance(TimeSpan.FromMinutes(1));

        var reopened = await Ledger.ReopenAsync("r1", requeueParked: false, default);

        Assert.Equal(run with { UpdatedAt = Now }, reopened);
        Assert.Equal([parked, Entry("b", 0, FleetTenantState.Succeeded)], await Ledger.GetEntriesAsync("r1", default));
        Assert.Empty(await Ledger.ClaimAsync("r1", "o1", 5, Lease, default));
    }

    [Fact]
    public async Task Reopen_WithRequeue_ParkedPendingAgainWithAttemptsResetAndErrorKept()
    {
        var started = Now.AddMinutes(-2);
        var parked = Entry("a", 0, FleetTenantState.Parked, attempts: 3, error: "boom", startedAt: started, endedAt: Now.AddMinutes(-1));
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [parked, Entry("b", 0, FleetTenantState.Succeeded, attempts: 1), Entry("c", 0)], default);
        await Ledger.EndRunAsync("r1", FleetRunState.Completed, null, default);

        var reopened = await Ledger.ReopenAsync("r1", requeueParked: true, default);

        Assert.Equal((FleetRunState.Running, (string?)null), (reopened.State, reopened.HaltReason));
        Assert.Equal(
            [Entry("a", 0, attempts: 0, error: "boom", startedAt: started), Entry("b", 0, FleetTenantState.Succeeded, attempts: 1), Entry("c", 0)],
            await Ledger.GetEntriesAsync("r1", default));
        Assert.Equal(0, (await Ledger.CountAsync("r1", default)).Retrying);
        var claimed = await Ledger.ClaimAsync("r1", "o1", 5, Lease, default);
        Assert.Equal([("a", 1), ("c", 1)], claimed.Select(e => (e.TenantId.Value, e.Attempts)));
    }

    [Fact]
    public async Task Renew_ExtendsTheOwnersLeasesOnly()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0), Entry("b", 0), Entry("c", 0)], default);
        await Ledger.ClaimAsync("r1", "o1", 2, Lease, default);
        await Ledger.ClaimAsync("r1", "o2", 2, Lease, default);
        Time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(2, await Ledger.RenewAsync("r1", "o1", Lease, default));
        Assert.Equal(0, await Ledger.RenewAsync("r1", "nobody", Lease, default));
        Assert.Equal([Now + Lease, Now + Lease, Now.AddSeconds(10)], (await Ledger.GetEntriesAsync("r1", default)).Select(e => e.LeaseUntil));

        Time.Advance(TimeSpan.FromSeconds(20)); // o2's lease passed, o1's renewed ones hold
        var taken = Assert.Single(await Ledger.ClaimAsync("r1", "o3", 5, Lease, default));
        Assert.Equal("c", taken.TenantId.Value);
        Assert.Equal(0, await Ledger.RenewAsync("r1", "o2", Lease, default));
    }

    [Fact]
    public async Task DeleteRun_RemovesTheRunAndItsEntries_TheIdCanBeUsedAgain()
    {
        await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("a", 0), Entry("b", 0)], default);
        await Ledger.CreateRunAsync(Run("r2", waves: 1), [Entry("a", 0)], default);

        Assert.True(await Ledger.DeleteRunAsync("r1", default));

        Assert.Null(await Ledger.GetRunAsync("r1", default));
        Assert.Empty(await Ledger.GetEntriesAsync("r1", default));
        Assert.Equal(0, (await Ledger.CountAsync("r1", default)).Total);
        Assert.False(await Ledger.DeleteRunAsync("r1", default));
        Assert.Single(await Ledger.GetEntriesAsync("r2", default));
        Assert.True((await Ledger.CreateRunAsync(Run("r1", waves: 1), [Entry("c", 0)], default)).Created);
        Assert.Equal([Entry("c", 0)], await Ledger.GetEntriesAsync("r1", default));
    }

    private protected static FleetLedgerRun Run(string runId, int waves, string work = "migrate") =>
        new(runId, work, waves, FleetRunState.Running, null, default, default);

    private protected static FleetLedgerEntry Entry(
        string tenant,
        int wave,
        FleetTenantState state = FleetTenantState.Pending,
        int attempts = 0,
        string? description = null,
        string? error = null,
        DateTimeOffset? startedAt = null,
        DateTimeOffset? endedAt = null,
        string? owner = null,
        DateTimeOffset? leaseUntil = null,
        DateTimeOffset? notBefore = null) =>
        new(TenantId.Parse(tenant), wave, state, attempts, description, error, startedAt, endedAt, owner, leaseUntil, notBefore);
}
