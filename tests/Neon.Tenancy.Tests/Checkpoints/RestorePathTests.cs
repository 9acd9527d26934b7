using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;
using static Neon.Tenancy.Tests.Checkpoints.CheckpointTestData;
using Npgsql;

namespace Neon.Tenancy.Tests.Checkpoints;

/// <summary>
/// The one restore path (previews, finalize, discard, point-in-time) against the PostgreSQL-backed fake, and calls
/// abandoned at each durable step (a crash there), then made again: they converge.
/// </summary>
public sealed class RestorePathTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{

    private sealed class Crash(string step) : Exception("simulated crash after step " + step);

    /// <summary>The next call stops right after <paramref name="step"/> (once), as a process dying there would.</summary>
    private static void CrashAfter(ProvisioningRig rig, string step)
    {
        var restorer = rig.Services.GetRequiredService<TenantRestorer>();
        restorer.AfterStep = (reached, _) =>
        {
            if (reached != step)
            {
                return Task.CompletedTask;
            }

            restorer.AfterStep = null;
            throw new Crash(step);
        };
    }

    /// <summary>A tenant with rows a, b; a checkpoint of them; then c written and a deleted (now b, c).</summary>
    private async Task<(NeonFakeServer Fake, ProvisioningRig Rig, TenantId Tenant, TenantCheckpoint Checkpoint)> StartAsync()
    {
        var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(50));
        var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema());
        var tenant = NewTenant();
        var checkpoint = await CheckpointBetweenWritesAsync(rig, await rig.Provider.ProvisionAsync(tenant, Free));
        return (fake, rig, tenant, checkpoint);
    }

    /// <summary>The tenant's branches in Neon; the catalog's branch is Neon's default one and no restore is pending.</summary>
    private static async Task<IReadOnlyList<Neon.Tenancy.Api.Models.Branch>> AssertConvergedAsync(ProvisioningRig rig, TenantId tenant)
    {
        var record = (await rig.Catalog.GetAsync(tenant))!;
        var branches = (await rig.Api.Branches.ListProjectBranchesAsync(record.ProjectId!)).Branches.ToList();
        Assert.Null(record.PendingRestore);
        Assert.Equal(Assert.Single(branches, b => b.Default).Id, record.BranchId);
        Assert.DoesNotContain(branches, b => b.Name.StartsWith("preview-", StringComparison.Ordinal)); // no leaked preview
        return branches;
    }

    [Fact]
    public async Task Preview_ShowsTheCheckpointBesideTheLiveData_FinalizeMovesTheTenantOnBothInstances()
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(50));
        await using var instances = TwoInstances.Create(fake, database.ConnectionString);
        var (first, second) = instances;
        await instances.WhenListeningAsync();
        var tenant = NewTenant();
        var provisioned = await first.Provider.ProvisionAsync(tenant, Free);
        var checkpoint = await CheckpointBetweenWritesAsync(first, provisioned);
        Assert.Equal("b,c", await ItemsAsync(second, tenant));
        var cachedOnSecond = ConnectionsOf(second).PeekEntry(tenant, TenantConnectionKind.Direct);

        var previewing = await CheckpointsOf(first).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        var pending = Assert.IsType<TenantPendingRestore>(previewing.PendingRestore);
        Assert.Equal((TenantRestoreStage.Previewing, provisioned.BranchId), (pending.Stage, pending.PreviousBranchId));
        Assert.Equal(provisioned.BranchId, previewing.BranchId); // still serving its current branch
        await using (var preview = await CheckpointsOf(second).OpenPreviewConnectionAsync(tenant))
        await using (var command = new NpgsqlCommand(Items, preview))
        {
            Assert.Equal("a,b", await command.ExecuteScalarAsync());
        }

        Assert.Equal("b,c", await ItemsAsync(first, tenant));
        Assert.Equal("b,c", await ItemsAsync(second, tenant));
        Assert.Same(cachedOnSecond, ConnectionsOf(second).PeekEntry(tenant, TenantConnectionKind.Direct)); // a preview changes no connection

        var cachedOnFirst = ConnectionsOf(first).PeekEntry(tenant, TenantConnectionKind.Direct);
        Assert.NotNull(cachedOnFirst);

        var finalized = await CheckpointsOf(second).FinalizeRestoreAsync(tenant);

        Assert.Equal(pending.BranchId, finalized.BranchId);
        await AssertConvergedAsync(first, tenant);
        Assert.Equal(finalized, await first.Catalog.GetAsync(tenant));

        // Both instances hear of the new branch on the change feed and replace their cached data sources.
        await ReplacedAsync(first, tenant, cachedOnFirst);
        await ReplacedAsync(second, tenant, cachedOnSecond!);
        Assert.Equal("a,b", await ItemsAsync(first, tenant));
        Assert.Equal("a,b", await ItemsAsync(second, tenant));
        await Assert.ThrowsAsync<TenantStateException>(() => CheckpointsOf(first).OpenPreviewConnectionAsync(tenant));
    }

    [Fact]
    public async Task Discard_DeletesThePreview_TheTenantKeepsItsData_APreviewPendingRefusesAnotherRestore()
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var before = (await rig.Catalog.GetAsync(tenant))!;
        await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        var refused = await Assert.ThrowsAsync<TenantStateException>(() => CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id));
        var refusedPointInTime = await Assert.ThrowsAsync<TenantStateException>(() =>
            rig.Provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow }));
        var discarded = await CheckpointsOf(rig).DiscardRestoreAsync(tenant);

        Assert.Contains("FinalizeRestoreAsync or DiscardRestoreAsync", refused.Message, StringComparison.Ordinal);
        Assert.Contains("preview", refusedPointInTime.Message, StringComparison.Ordinal);
        Assert.Equal(before.BranchId, discarded.BranchId);
        Assert.Single(await AssertConvergedAsync(rig, tenant)); // the tenant's branch, nothing else
        Assert.Equal("b,c", await ItemsAsync(rig, tenant));
        await Assert.ThrowsAsync<TenantStateException>(() => CheckpointsOf(rig).FinalizeRestoreAsync(tenant));
    }

    [Theory]
    [InlineData("requested")]
    [InlineData("accepted")] // Neon took the call, its operation still running when the process died
    [InlineData("sent")]
    public async Task RestoreCheckpointAsync_AbandonedAfterAStep_CalledAgain_RestoresOnce(string step)
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        CrashAfter(rig, step);

        await Assert.ThrowsAsync<Crash>(() => CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id));
        Assert.NotNull((await rig.Catalog.GetAsync(tenant))!.PendingRestore);
        await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id);

        var branches = await AssertConvergedAsync(rig, tenant);
        Assert.Equal(2, branches.Count); // the restored branch and the previous one (kept): one restore, not two
        Assert.Equal("a,b", await ItemsAsync(rig, tenant));
    }

    [Theory]
    [InlineData("requested", "preview")]
    [InlineData("accepted", "preview")]
    [InlineData("sent", "preview")]
    [InlineData("finalizing", "finalize")]
    [InlineData("accepted", "finalize")]
    [InlineData("sent", "finalize")]
    [InlineData("preview deleted", "discard")]
    public async Task Preview_AbandonedAfterAStep_TheNextCallConverges_NoLeakedPreview(string step, string call)
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = CheckpointsOf(rig);
        if (call != "preview")
        {
            await checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);
        }

        CrashAfter(rig, step);
        Func<Task> act = call switch
        {
            "preview" => () => checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview),
            "finalize" => () => checkpoints.FinalizeRestoreAsync(tenant),
            _ => () => checkpoints.DiscardRestoreAsync(tenant),
        };
        await Assert.ThrowsAsync<Crash>(act);
        await act();

        if (call == "preview")
        {
            var record = (await rig.Catalog.GetAsync(tenant))!;
            Assert.Equal(TenantRestoreStage.Previewing, record.PendingRestore!.Stage);
            var previews = (await rig.Api.Branches.ListProjectBranchesAsync(record.ProjectId!)).Branches.Where(b => b.Name.StartsWith("preview-", StringComparison.Ordinal));
            Assert.Equal(record.PendingRestore.BranchId, Assert.Single(previews).Id); // one preview, not two
            await checkpoints.FinalizeRestoreAsync(tenant);
        }

        await AssertConvergedAsync(rig, tenant);
        Assert.Equal(call == "discard" ? "b,c" : "a,b", await ItemsAsync(rig, tenant));
    }

    [Theory]
    [InlineData("requested")]
    [InlineData("accepted")]
    [InlineData("sent")]
    public async Task PointInTimeRestore_SharesThePath_AbandonedAfterAStep_CalledAgain_RestoresOnce(string step)
    {
        var (fake, rig, tenant, _) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var point = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // a point in the branch's history: after its creation (whole seconds), before now
        var request = new TenantRestoreRequest { Timestamp = point, PreserveUnderName = "before-" + step };
        CrashAfter(rig, step);

        await Assert.ThrowsAsync<Crash>(() => rig.Provider.RestoreAsync(tenant, request));
        request = request with { PreserveUnderName = null }; // asked again without a name: the name the first call chose is the one reported
        var pending = (await rig.Catalog.GetAsync(tenant))!.PendingRestore!;
        Assert.Equal((TenantRestoreKind.PointInTime, TenantRestoreStage.Requested, "before-" + step), (pending.Kind, pending.Stage, pending.BranchName));
        var restored = await rig.Provider.RestoreAsync(tenant, request);

        var branches = await AssertConvergedAsync(rig, tenant);
        Assert.Single(branches, b => b.Name == "before-" + step); // Neon was asked once
        Assert.Equal("before-" + step, restored.PreservedBranchName);
        var duplicate = await Assert.ThrowsAsync<ArgumentException>(() => rig.Provider.RestoreAsync(tenant, request with { Timestamp = point.AddMilliseconds(1), PreserveUnderName = "before-" + step }));
        Assert.Contains("before-" + step, duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_NeonRefusesIt_NothingStaysPending_TheNextCallIsNotHeldUp()
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;

        // A point in the future: Neon answers 400, so nothing happened and nothing is left to finish.
        var refused = await Assert.ThrowsAsync<Neon.Tenancy.Api.NeonApiException>(() =>
            rig.Provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow.AddDays(1) }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null((await rig.Catalog.GetAsync(tenant))!.PendingRestore);
        await CheckpointsOf(rig).CreateCheckpointAsync(tenant, "after a refused restore");
        await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id);
        await AssertConvergedAsync(rig, tenant);
        Assert.Equal("a,b", await ItemsAsync(rig, tenant));
    }

    [Fact]
    public async Task Retention_KeepsTheCheckpointAPendingPreviewUses()
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(50));
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema(),
            services => services.Configure<TenantPlanOptions>(o =>
            {
                o.DefaultPlan = "free";
                o.Plans["free"] = new TenantPlan { MaxCheckpoints = 1 };
            }));
        var tenant = NewTenant();
        var checkpoint = await CheckpointBetweenWritesAsync(rig, await rig.Provider.ProvisionAsync(tenant, Free));
        await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        var later = await CheckpointsOf(rig).CreateCheckpointAsync(tenant, "while previewing");

        Assert.Equal([checkpoint.Id, later.Id], (await CheckpointsOf(rig).GetCheckpointsAsync(tenant)).Select(c => c.Id));
        await CheckpointsOf(rig).FinalizeRestoreAsync(tenant);
        Assert.Equal("a,b", await ItemsAsync(rig, tenant));
        await CheckpointsOf(rig).CreateCheckpointAsync(tenant, "after"); // now the plan's one-checkpoint rule applies again
        Assert.Single(await CheckpointsOf(rig).GetCheckpointsAsync(tenant));
    }

    [Fact]
    public async Task DiscardRestoreAsync_AbandonsAnInterruptedPreview_DeletesWhatNeonMade_TheTenantKeepsItsData()
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        CrashAfter(rig, "accepted");
        await Assert.ThrowsAsync<Crash>(() => CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview));
        Assert.Equal(TenantRestoreStage.Requested, (await rig.Catalog.GetAsync(tenant))!.PendingRestore!.Stage);

        var abandoned = await CheckpointsOf(rig).DiscardRestoreAsync(tenant);

        Assert.Null(abandoned.PendingRestore);
        Assert.Single(await AssertConvergedAsync(rig, tenant)); // the preview Neon made is gone
        Assert.Equal("b,c", await ItemsAsync(rig, tenant));
        await Assert.ThrowsAsync<TenantStateException>(() => CheckpointsOf(rig).DiscardRestoreAsync(tenant));
    }

    [Fact]
    public async Task DeleteCheckpointAsync_OfAPendingPreview_IsRefused_IdenticalPreviewRequestReturnsIt()
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var previewing = await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        var refused = await Assert.ThrowsAsync<TenantStateException>(() => CheckpointsOf(rig).DeleteCheckpointAsync(tenant, checkpoint.Id));
        var again = await CheckpointsOf(rig).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        Assert.Contains("pending", refused.Message, StringComparison.Ordinal);
        Assert.Equal(previewing.PendingRestore, again.PendingRestore); // the same preview, not an error and not a second one
        Assert.NotNull(await CheckpointsOf(rig).GetCheckpointAsync(tenant, checkpoint.Id));
        await Assert.ThrowsAsync<TenantCheckpointNotFoundException>(() => CheckpointsOf(rig).RestoreCheckpointAsync(tenant, "snap-unknown"));
        Assert.Null((await rig.Catalog.GetAsync(tenant))!.FailureReason); // a mistyped id is the caller's, not the tenant's failure
    }
}
