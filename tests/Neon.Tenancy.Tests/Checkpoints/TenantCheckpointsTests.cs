using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Neon.Tenancy.Api.Models;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;
using static Neon.Tenancy.Tests.Checkpoints.CheckpointTestData;

namespace Neon.Tenancy.Tests.Checkpoints;

/// <summary>Checkpoints against the fake Neon backed by real PostgreSQL: a checkpoint is a real copy, a restore rewinds real data.</summary>
public sealed class TenantCheckpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{

    private static Action<IServiceCollection> Plans(TenantPlan free) => services => services.Configure<TenantPlanOptions>(o =>
    {
        o.DefaultPlan = "free";
        o.Plans["free"] = free;
    });

    private async Task<(NeonFakeServer Fake, ProvisioningRig Rig, TenantId Tenant)> StartAsync(TenantPlan? plan = null, int? snapshotLimit = null)
    {
        var fake = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            OperationDuration = TimeSpan.FromMilliseconds(50),
            PostgresConnectionString = TestPostgres.AdminConnectionString,
            ManualSnapshotLimit = snapshotLimit ?? 10,
        });
        var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema(), Plans(plan ?? new TenantPlan()));
        var tenant = NewTenant();
        await rig.Provider.ProvisionAsync(tenant, Free);
        return (fake, rig, tenant);
    }

    [Fact]
    public async Task RestoreCheckpointAsync_AfterMoreWrites_TenantShowsTheCheckpointsRowsOnBothInstances_CatalogOnTheNewBranch()
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { OperationDuration = TimeSpan.FromMilliseconds(50), PostgresConnectionString = TestPostgres.AdminConnectionString });
        await using var instances = TwoInstances.Create(fake, database.ConnectionString);
        var (first, second) = instances;
        await instances.WhenListeningAsync();
        var tenant = NewTenant();
        var provisioned = await first.Provider.ProvisionAsync(tenant, Free);

        var checkpoint = await CheckpointBetweenWritesAsync(first, provisioned, new Dictionary<string, string> { ["app.version"] = "1.2.0" });
        Assert.Equal("b,c", await ItemsAsync(first, tenant));
        Assert.Equal("b,c", await ItemsAsync(second, tenant));
        var cachedOnSecond = ConnectionsOf(second).PeekEntry(tenant, TenantConnectionKind.Direct);
        Assert.NotNull(cachedOnSecond);

        var restored = await CheckpointsOf(first).RestoreCheckpointAsync(tenant, checkpoint.Id);

        Assert.NotEqual(provisioned.BranchId, restored.BranchId);
        var neonDefault = Assert.Single((await first.Api.Branches.ListProjectBranchesAsync(restored.ProjectId!)).Branches, b => b.Default);
        Assert.Equal(neonDefault.Id, restored.BranchId);
        Assert.Equal(restored, await second.Catalog.GetAsync(tenant));
        Assert.Equal("a,b", await ItemsAsync(first, tenant));

        // The second instance hears of the new branch on the change feed and replaces its cached data source.
        await ReplacedAsync(second, tenant, cachedOnSecond!);
        Assert.Equal("a,b", await ItemsAsync(second, tenant));
        Assert.Equal([checkpoint], await CheckpointsOf(second).GetCheckpointsAsync(tenant));
        Assert.Equal("1.2.0", checkpoint.Metadata["app.version"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RestoreCheckpointAsync_PreviousBranch_KeptOrDeletedAsConfigured(bool deletePreviousBranch)
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(50));
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema(),
            services => services.Configure<TenantCheckpointOptions>(o => o.DeletePreviousBranch = deletePreviousBranch));
        var tenant = NewTenant();
        var provisioned = await rig.Provider.ProvisionAsync(tenant, Free);
        var checkpoint = await CheckpointsOf(rig).CreateCheckpointAsync(tenant, "one");

        var restored = await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id);

        var branches = (await rig.Api.Branches.ListProjectBranchesAsync(restored.ProjectId!)).Branches;
        Assert.Equal(restored.BranchId, Assert.Single(branches, b => b.Default).Id);
        Assert.Equal(!deletePreviousBranch, branches.Any(b => b.Id == provisioned.BranchId));
        Assert.Equal(deletePreviousBranch ? 1 : 2, branches.Count);
    }

    [Fact]
    public async Task CreateCheckpointAsync_PlanKeepsTwo_TheOldestGoesFirst_InNeonToo()
    {
        var (fake, rig, tenant) = await StartAsync(new TenantPlan { MaxCheckpoints = 2 });
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = CheckpointsOf(rig);

        var one = await checkpoints.CreateCheckpointAsync(tenant, "one");
        var two = await checkpoints.CreateCheckpointAsync(tenant, "two");
        var three = await checkpoints.CreateCheckpointAsync(tenant, "three");

        Assert.Equal([two.Id, three.Id], (await checkpoints.GetCheckpointsAsync(tenant)).Select(c => c.Id));
        var record = (await rig.Catalog.GetAsync(tenant))!;
        var inNeon = (await rig.Api.Snapshots.ListSnapshotsAsync(record.ProjectId!)).Snapshots.Select(s => s.Id).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { two.Id, three.Id }.Order(StringComparer.Ordinal), inNeon);
        Assert.Null(await checkpoints.GetCheckpointAsync(tenant, one.Id));
        Assert.Contains(rig.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.CheckpointExpired && l.Message.Contains(one.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CreateCheckpointAsync_CheckpointOlderThanTheRetention_IsDeletedFirst()
    {
        var (fake, rig, tenant) = await StartAsync(new TenantPlan { CheckpointRetention = TimeSpan.FromDays(1) });
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = CheckpointsOf(rig);
        var old = await checkpoints.CreateCheckpointAsync(tenant, "old");
        await rig.Catalog.RemoveCheckpointAsync(tenant, old.Id);
        await rig.Catalog.AddCheckpointAsync(old with { CreatedAt = DateTimeOffset.UtcNow.AddDays(-2) }); // as if taken two days ago

        var fresh = await checkpoints.CreateCheckpointAsync(tenant, "fresh");

        Assert.Equal([fresh.Id], (await checkpoints.GetCheckpointsAsync(tenant)).Select(c => c.Id));
        var record = (await rig.Catalog.GetAsync(tenant))!;
        Assert.DoesNotContain((await rig.Api.Snapshots.ListSnapshotsAsync(record.ProjectId!)).Snapshots, s => s.Id == old.Id);
    }

    [Fact]
    public async Task CreateCheckpointAsync_NeonsSnapshotLimit_ThrowsTypedErrorNamingTheLimit_RecordsNothing()
    {
        var (fake, rig, tenant) = await StartAsync(snapshotLimit: 1);
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = CheckpointsOf(rig);
        var factory = rig.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var duration = new MetricCollector<double>(factory, "Neon.Tenancy", "neon.tenancy.checkpoint.duration");
        using var failures = new MetricCollector<long>(factory, "Neon.Tenancy", "neon.tenancy.checkpoint.failures");
        await checkpoints.CreateCheckpointAsync(tenant, "one");

        var error = await Assert.ThrowsAsync<TenantCheckpointLimitException>(() => checkpoints.CreateCheckpointAsync(tenant, "two"));

        var measured = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal("create", measured.Tags["neon.tenancy.checkpoint.operation"]);
        Assert.True(measured.Value > 0);
        var failure = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal(("create", typeof(TenantCheckpointLimitException).FullName), (failure.Tags["neon.tenancy.checkpoint.operation"], failure.Tags["error.type"]));

        Assert.Equal(tenant, error.TenantId);
        Assert.Equal("SNAPSHOTS_LIMIT_EXCEEDED", error.ErrorCode);
        Assert.Equal(1, error.Checkpoints);
        Assert.Null(error.ConfiguredLimit);
        Assert.Contains("MaxCheckpoints", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.IsType<Neon.Tenancy.Api.NeonPlanLimitException>(error.InnerException);
        Assert.Single(await checkpoints.GetCheckpointsAsync(tenant));
    }

    [Fact]
    public async Task DeleteCheckpointAsync_DeletesTheSnapshotAndTheRecord_Once()
    {
        var (fake, rig, tenant) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = CheckpointsOf(rig);
        var checkpoint = await checkpoints.CreateCheckpointAsync(tenant, "one");
        var calls = fake.RequestLog.Count;
        Assert.Equal([checkpoint], await checkpoints.GetCheckpointsAsync(tenant));
        Assert.Equal(checkpoint, await checkpoints.GetCheckpointAsync(tenant, checkpoint.Id));
        Assert.Equal(calls, fake.RequestLog.Count); // reads go to the catalog only

        Assert.True(await checkpoints.DeleteCheckpointAsync(tenant, checkpoint.Id));
        Assert.False(await checkpoints.DeleteCheckpointAsync(tenant, checkpoint.Id));

        var record = (await rig.Catalog.GetAsync(tenant))!;
        Assert.Empty((await rig.Api.Snapshots.ListSnapshotsAsync(record.ProjectId!)).Snapshots);
        Assert.Empty(await checkpoints.GetCheckpointsAsync(tenant));
        await Assert.ThrowsAsync<TenantCheckpointNotFoundException>(() => checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id));
    }

    [Fact]
    public async Task RestoreCheckpointAsync_AfterARestoreWhoseCatalogWriteWasLost_FollowsNeonsBranchFirst()
    {
        var (fake, rig, tenant) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = CheckpointsOf(rig);
        var checkpoint = await checkpoints.CreateCheckpointAsync(tenant, "one");
        var before = (await rig.Catalog.GetAsync(tenant))!;

        // A restore Neon finalized, whose catalog write never happened (the process died in between).
        var lost = await rig.Api.Snapshots.RestoreSnapshotAsync(before.ProjectId!, checkpoint.Id, request: new RestoreSnapshotRequest { TargetBranchId = before.BranchId, FinalizeRestore = true });
        await rig.Api.WaitForOperationsAsync(lost.Operations);

        var again = await checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id);

        Assert.Contains(rig.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.CatalogFollowedBranch);
        var neonDefault = Assert.Single((await rig.Api.Branches.ListProjectBranchesAsync(before.ProjectId!)).Branches, b => b.Default);
        Assert.Equal(neonDefault.Id, again.BranchId);
        Assert.NotEqual(lost.Branch.Id, again.BranchId); // restored once more, from the branch Neon really served
        Assert.Equal(1, await TenantSql.ScalarAsync<int>(ConnectionsOf(rig), tenant, TenantConnectionKind.Direct, "SELECT 1"));
    }

    [Fact]
    public async Task CreateCheckpointAsync_BadNameOrMetadata_RefusedBeforeAnyNeonCall()
    {
        var (fake, rig, tenant) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var calls = fake.RequestLog.Count;
        var checkpoints = CheckpointsOf(rig);

        var blank = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CreateCheckpointAsync(tenant, " "));
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CreateCheckpointAsync(tenant, "ok",
            new Dictionary<string, string> { ["note"] = new string('x', 1025) }));

        Assert.Contains("name", blank.Message, StringComparison.Ordinal);
        Assert.Contains("'note'", tooLong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxx", tooLong.Message, StringComparison.Ordinal);
        Assert.Equal(calls, fake.RequestLog.Count);
        await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.CreateCheckpointAsync(default, "ok"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(null)]
    public async Task CreateCheckpointAsync_AfterACreateInterruptedOnceNeonTookIt_AdoptsTheUnrecordedSnapshot(int? maxCheckpoints)
    {
        var (fake, rig, tenant) = await StartAsync(new TenantPlan { MaxCheckpoints = maxCheckpoints }, snapshotLimit: 1);
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var record = (await rig.Catalog.GetAsync(tenant))!;

        // A checkpoint whose call died after Neon took the snapshot: in Neon, not in the catalog, holding Neon's limit of 1.
        var orphan = await rig.Api.Snapshots.CreateSnapshotAsync(record.ProjectId!, record.BranchId!, name: "interrupted");
        await rig.Api.WaitForOperationsAsync(orphan.Operations);

        if (maxCheckpoints is null)
        {
            // No count of the SDK's: the adopted one stays, and Neon's limit is the caller's, counted right.
            var error = await Assert.ThrowsAsync<TenantCheckpointLimitException>(() => CheckpointsOf(rig).CreateCheckpointAsync(tenant, "next"));
            Assert.Equal(1, error.Checkpoints);
            var adopted = Assert.Single(await CheckpointsOf(rig).GetCheckpointsAsync(tenant));
            Assert.Equal((orphan.Snapshot.Id, "interrupted"), (adopted.Id, adopted.Name));
            Assert.True(adopted.Metadata.ContainsKey("neon.tenancy.adopted"));
            Assert.Contains(rig.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.CheckpointAdopted);
        }
        else
        {
            // The plan keeps one: the adopted snapshot expires first and the new checkpoint is taken.
            var next = await CheckpointsOf(rig).CreateCheckpointAsync(tenant, "next");
            Assert.Equal([next.Id], (await CheckpointsOf(rig).GetCheckpointsAsync(tenant)).Select(c => c.Id));
            Assert.Equal(next.Id, Assert.Single((await rig.Api.Snapshots.ListSnapshotsAsync(record.ProjectId!)).Snapshots).Id);
        }
    }
}
