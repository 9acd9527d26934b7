using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;
using Npgsql;

namespace Neon.Tenancy.Tests.Checkpoints;

/// <summary>
/// The one restore path (previews, finalize, discard, point-in-time) against the PostgreSQL-backed fake, and calls
/// abandoned at each durable step (a crash there), then made again: they converge.
/// </summary>
public sealed class RestorePathTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TenantProvisionRequest Free = new() { Plan = "free" };

    private sealed class Crash(string step) : Exception("simulated crash after step " + step);

    private static ITenantCheckpoints Checkpoints(ProvisioningRig rig) => rig.Services.GetRequiredService<ITenantCheckpoints>();

    private static TenantConnectionFactory Connections(ProvisioningRig rig) => rig.Services.GetRequiredService<TenantConnectionFactory>();

    private static Task<string> ItemsAsync(ProvisioningRig rig, TenantId tenant) =>
        TenantSql.ScalarAsync<string>(Connections(rig), tenant, TenantConnectionKind.Direct, Items);

    private const string Items = "SELECT coalesce(string_agg(v, ',' ORDER BY v), '') FROM items";

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
        var tenant = TenantId.Parse("acme-" + Guid.NewGuid().ToString("N")[..8]);
        var provisioned = await rig.Provider.ProvisionAsync(tenant, Free);
        await TenantSql.ExecuteAsync(rig.Secret(provisioned, ConnectionSecretKind.Direct), "CREATE TABLE items (v text); INSERT INTO items VALUES ('a'), ('b')");
        var checkpoint = await Checkpoints(rig).CreateCheckpointAsync(tenant, "before");
        await TenantSql.ExecuteAsync(rig.Secret(provisioned, ConnectionSecretKind.Direct), "INSERT INTO items VALUES ('c'); DELETE FROM items WHERE v = 'a'");
        return (fake, rig, tenant, checkpoint);
    }

    private static async Task ReplacedAsync(ProvisioningRig rig, TenantId tenant, TenantDataSourceEntry cached)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (ReferenceEquals(Connections(rig).PeekEntry(tenant, TenantConnectionKind.Direct), cached) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.NotSame(cached, Connections(rig).PeekEntry(tenant, TenantConnectionKind.Direct));
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
        var tenant = TenantId.Parse("acme-" + Guid.NewGuid().ToString("N")[..8]);
        var provisioned = await first.Provider.ProvisionAsync(tenant, Free);
        await TenantSql.ExecuteAsync(first.Secret(provisioned, ConnectionSecretKind.Direct), "CREATE TABLE items (v text); INSERT INTO items VALUES ('a'), ('b')");
        var checkpoint = await Checkpoints(first).CreateCheckpointAsync(tenant, "before");
        await TenantSql.ExecuteAsync(first.Secret(provisioned, ConnectionSecretKind.Direct), "INSERT INTO items VALUES ('c'); DELETE FROM items WHERE v = 'a'");
        Assert.Equal("b,c", await ItemsAsync(second, tenant));
        var cachedOnSecond = Connections(second).PeekEntry(tenant, TenantConnectionKind.Direct);

        var previewing = await Checkpoints(first).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        var pending = Assert.IsType<TenantPendingRestore>(previewing.PendingRestore);
        Assert.Equal((TenantRestoreStage.Previewing, provisioned.BranchId), (pending.Stage, pending.PreviousBranchId));
        Assert.Equal(provisioned.BranchId, previewing.BranchId); // still serving its current branch
        await using (var preview = await Checkpoints(second).OpenPreviewConnectionAsync(tenant))
        await using (var command = new NpgsqlCommand(Items, preview))
        {
            Assert.Equal("a,b", await command.ExecuteScalarAsync());
        }

        Assert.Equal("b,c", await ItemsAsync(first, tenant));
        Assert.Equal("b,c", await ItemsAsync(second, tenant));
        Assert.Same(cachedOnSecond, Connections(second).PeekEntry(tenant, TenantConnectionKind.Direct)); // a preview changes no connection

        var cachedOnFirst = Connections(first).PeekEntry(tenant, TenantConnectionKind.Direct);
        Assert.NotNull(cachedOnFirst);

        var finalized = await Checkpoints(second).FinalizeRestoreAsync(tenant);

        Assert.Equal(pending.BranchId, finalized.BranchId);
        await AssertConvergedAsync(first, tenant);
        Assert.Equal(finalized, await first.Catalog.GetAsync(tenant));

        // Both instances hear of the new branch on the change feed and replace their cached data sources.
        await ReplacedAsync(first, tenant, cachedOnFirst);
        await ReplacedAsync(second, tenant, cachedOnSecond!);
        Assert.Equal("a,b", await ItemsAsync(first, tenant));
        Assert.Equal("a,b", await ItemsAsync(second, tenant));
        await Assert.ThrowsAsync<TenantStateException>(() => Checkpoints(first).OpenPreviewConnectionAsync(tenant));
    }

    [Fact]
    public async Task Discard_DeletesThePreview_TheTenantKeepsItsData_APreviewPendingRefusesAnotherRestore()
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var before = (await rig.Catalog.GetAsync(tenant))!;
        await Checkpoints(rig).RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);

        var refused = await Assert.ThrowsAsync<TenantStateException>(() => Checkpoints(rig).RestoreCheckpointAsync(tenant, checkpoint.Id));
        var refusedPointInTime = await Assert.ThrowsAsync<TenantStateException>(() =>
            rig.Provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow }));
        var discarded = await Checkpoints(rig).DiscardRestoreAsync(tenant);

        Assert.Contains("FinalizeRestoreAsync or DiscardRestoreAsync", refused.Message, StringComparison.Ordinal);
        Assert.Contains("preview", refusedPointInTime.Message, StringComparison.Ordinal);
        Assert.Equal(before.BranchId, discarded.BranchId);
        Assert.Single(await AssertConvergedAsync(rig, tenant)); // the tenant's branch, nothing else
        Assert.Equal("b,c", await ItemsAsync(rig, tenant));
        await Assert.ThrowsAsync<TenantStateException>(() => Checkpoints(rig).FinalizeRestoreAsync(tenant));
    }

    [Theory]
    [InlineData("requested")]
    [InlineData("sent")]
    public async Task RestoreCheckpointAsync_AbandonedAfterAStep_CalledAgain_RestoresOnce(string step)
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        CrashAfter(rig, step);

        await Assert.ThrowsAsync<Crash>(() => Checkpoints(rig).RestoreCheckpointAsync(tenant, checkpoint.Id));
        Assert.NotNull((await rig.Catalog.GetAsync(tenant))!.PendingRestore);
        await Checkpoints(rig).RestoreCheckpointAsync(tenant, checkpoint.Id);

        var branches = await AssertConvergedAsync(rig, tenant);
        Assert.Equal(2, branches.Count); // the restored branch and the previous one (kept): one restore, not two
        Assert.Equal("a,b", await ItemsAsync(rig, tenant));
    }

    [Theory]
    [InlineData("requested", "preview")]
    [InlineData("sent", "preview")]
    [InlineData("finalizing", "finalize")]
    [InlineData("sent", "finalize")]
    [InlineData("preview deleted", "discard")]
    public async Task Preview_AbandonedAfterAStep_TheNextCallConverges_NoLeakedPreview(string step, string call)
    {
        var (fake, rig, tenant, checkpoint) = await StartAsync();
        await using var fakeLifetime = fake;
        await using var rigLifetime = rig;
        var checkpoints = Checkpoints(rig);
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
        var pending = (await rig.Catalog.GetAsync(tenant))!.PendingRestore!;
        Assert.Equal((TenantRestoreKind.PointInTime, TenantRestoreStage.Requested, "before-" + step), (pending.Kind, pending.Stage, pending.BranchName));
        var restored = await rig.Provider.RestoreAsync(tenant, request);

        var branches = await AssertConvergedAsync(rig, tenant);
        Assert.Single(branches, b => b.Name == "before-" + step); // Neon was asked once
        Assert.Equal("before-" + step, restored.PreservedBranchName);
        var duplicate = await Assert.ThrowsAsync<ArgumentException>(() => rig.Provider.RestoreAsync(tenant, request with { Timestamp = point.AddMilliseconds(1) }));
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
        await Checkpoints(rig).CreateCheckpointAsync(tenant, "after a refused restore");
        await Checkpoints(rig).RestoreCheckpointAsync(tenant, checkpoint.Id);
        await AssertConvergedAsync(rig, tenant);
        Assert.Equal("a,b", await ItemsAsync(rig, tenant));
    }
}
