using Neon.Tenancy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neon.Tenancy.Tests.Provisioning;

public sealed class ProvisioningConcurrencyTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task ProvisionAsync_50CallsFor10TenantsThroughTwoInstancesSharingAPostgresCatalog_ExactlyTenProjects()
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(200));
        await using var instances = TwoInstances.Create(fake, database.ConnectionString);
        var (first, second) = instances;
        Assert.IsType<PostgresAdvisoryTenantLock>(first.Lock);
        var tenants = Enumerable.Range(0, 10).Select(i => TenantId.Parse($"t{i}")).ToArray();
        var request = new TenantProvisionRequest { Plan = "free" };

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => (i % 2 == 0 ? first : second).Provider.ProvisionAsync(tenants[i % 10], request)));
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        output.WriteLine($"50 calls, 10 tenants, 2 instances: {stopwatch.Elapsed.TotalSeconds:0.00} s; {string.Join(", ", fake.CallsPerRoute.Select(c => $"{c.Key} x{c.Value}"))}");
        Assert.All(results, r => Assert.Equal(TenantState.Ready, r.State));
        Assert.Equal(10, results.Select(r => r.ProjectId).Distinct().Count());
        Assert.Equal(10, (await fake.GetProjectsAsync()).Count);
        Assert.Equal(10, fake.CallsPerRoute["POST projects"]);
        foreach (var group in results.GroupBy(r => r.TenantId))
        {
            Assert.Single(group.Select(r => r.ProjectId).Distinct());
        }
    }

    [Fact]
    public async Task PostgresAdvisoryTenantLock_SecondInstanceWaitsUntilFirstReleases()
    {
        await using var locksA = new PostgresAdvisoryLocks(database.ConnectionString, "s");
        await using var locksB = new PostgresAdvisoryLocks(database.ConnectionString, "s");
        var (a, b) = (new PostgresAdvisoryTenantLock(locksA), new PostgresAdvisoryTenantLock(locksB));
        var id = TenantId.Parse("locked");

        var held = await a.AcquireAsync(id, CancellationToken.None);
        var waiting = b.AcquireAsync(id, CancellationToken.None).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var other = await b.AcquireAsync(TenantId.Parse("other"), CancellationToken.None);
        await other.DisposeAsync();

        await held.DisposeAsync();
        await (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
    }

    [Fact]
    public async Task PostgresAdvisoryTenantLock_HolderSessionDies_WaiterGetsTheLock()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var locksA = new PostgresAdvisoryLocks(database.ConnectionString, schema);
        await using var locksB = new PostgresAdvisoryLocks(database.ConnectionString, schema);
        var (a, b) = (new PostgresAdvisoryTenantLock(locksA), new PostgresAdvisoryTenantLock(locksB));
        var id = TenantId.Parse("dead-holder");
        var held = await a.AcquireAsync(id, CancellationToken.None);
        var waiting = b.AcquireAsync(id, CancellationToken.None).AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        // The holder's process "dies": its session ends without unlocking.
        Assert.Equal(1L, await AdvisoryLockHolders.TerminateAsync(database, a.Key(id)));

        await (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
        await held.DisposeAsync();
    }
}
