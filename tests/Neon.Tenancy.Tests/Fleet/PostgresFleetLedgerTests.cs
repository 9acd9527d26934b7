using System.Collections.Concurrent;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Fleet;

/// <summary>
/// Every case of <see cref="FleetLedgerContract"/> against real PostgreSQL (one database per class, one catalog schema per
/// case, created by the ledger's first call), then what only a shared database shows: instances claiming at once.
/// </summary>
public sealed class PostgresFleetLedgerTests(PostgresDatabaseFixture database) : FleetLedgerContract, IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _schema = PostgresDatabaseFixture.NewSchema();
    private readonly List<PostgresTenantCatalog> _catalogs = [];

    public override async Task DisposeAsync()
    {
        foreach (var catalog in _catalogs)
        {
            await catalog.DisposeAsync();
        }
    }

    /// <summary>A ledger over a catalog instance of its own (its own data source), on the case's schema.</summary>
    private protected override IFleetLedger CreateLedger(TimeProvider time)
    {
        var catalog = database.CreateCatalog(_schema, time);
        _catalogs.Add(catalog);
        return new PostgresFleetLedger(catalog);
    }

    [Fact]
    public async Task Claim_TwoInstancesEightClaimers_EveryEntryClaimedExactlyOnceWaveByWave()
    {
        const int Waves = 4, PerWave = 125;
        var ledgers = new[] { Ledger, CreateLedger(Time) };
        var entries = Enumerable.Range(0, Waves * PerWave).Select(i => Entry($"t{i:D4}", i % Waves)).ToList();
        Assert.True((await ledgers[1].CreateRunAsync(Run("r1", Waves), entries, default)).Created);
        var claims = new ConcurrentBag<string>();
        var finished = new int[Waves];
        var gateViolations = new ConcurrentBag<string>();

        async Task WorkAsync(int worker)
        {
            var ledger = ledgers[worker % 2];
            var owner = $"worker-{worker}";
            while (true)
            {
                var claimed = await ledger.ClaimAsync("r1", owner, 3, TimeSpan.FromMinutes(10), default);
                if (claimed.Count == 0)
                {
                    var counts = await ledger.CountAsync("r1", default);
                    if (counts.Pending + counts.Running == 0)
                    {
                        return;
                    }

                    await Task.Delay(1); // others hold the rest of the wave
                    continue;
                }

                Assert.True(claimed.Count <= 3);
                foreach (var entry in claimed)
                {
                    // Counted before its finish commits, so a claim of the next wave must find the previous one complete.
                    if (entry.Wave > 0 && Volatile.Read(ref finished[entry.Wave - 1]) != PerWave)
                    {
                        gateViolations.Add($"{entry.TenantId} (wave {entry.Wave}) claimed while wave {entry.Wave - 1} had {Volatile.Read(ref finished[entry.Wave - 1])} of {PerWave} done");
                    }

                    claims.Add(entry.TenantId.Value);
                    Interlocked.Increment(ref finished[entry.Wave]);
                    Assert.True(await ledger.FinishAsync("r1", entry.TenantId, owner, FleetTenantState.Succeeded, null, null, default));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => WorkAsync(w)))).WaitAsync(Timeout);

        Assert.Empty(gateViolations);
        Assert.Equal(Waves * PerWave, claims.Count);
        Assert.Equal(Waves * PerWave, claims.Distinct(StringComparer.Ordinal).Count());
        var stored = await Ledger.GetEntriesAsync("r1", default);
        Assert.All(stored, e => Assert.Equal((FleetTenantState.Succeeded, 1), (e.State, e.Attempts)));
        Assert.Equal(new FleetLedgerCounts(0, 0, Waves * PerWave, 0, 0, 0, 0, Waves, null, null), await Ledger.CountAsync("r1", default));
    }

    [Fact]
    public async Task CreateRun_TwentyThousandEntries_RecordedInOneCall()
    {
        var entries = Enumerable.Range(0, 20_000).Select(i => Entry($"tenant-{i:D5}", i % 10, description: "to v7")).ToList();

        var (_, created) = await Ledger.CreateRunAsync(Run("big", waves: 10), entries, default).WaitAsync(Timeout);

        Assert.True(created);
        var counts = await Ledger.CountAsync("big", default);
        Assert.Equal((20_000, 20_000, 0), (counts.Total, counts.Pending, counts.Wave));
    }
}
