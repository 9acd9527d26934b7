using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Provisioning;

public sealed class TenantLifecycleTests : ProvisioningTestBase
{
    private static readonly TenantProvisionRequest Request = new() { Plan = "pro" };

    [Fact]
    public async Task DeleteAsync_Twice_SecondIsNoOpAndRecoverBringsTenantBack()
    {
        var id = TenantId.Parse("gone");
        var tenant = await Rig.Provider.ProvisionAsync(id, Request);

        var deleted = await Rig.Provider.DeleteAsync(id);
        var calls = Fake.RequestLog.Count;
        var again = await Rig.Provider.DeleteAsync(id);

        Assert.Equal(TenantState.Deleted, deleted.Tenant.State);
        Assert.Equal(TenantState.Deleted, again.Tenant.State);
        Assert.Equal(calls, Fake.RequestLog.Count);
        Assert.True(deleted.RecoverableUntil > DateTimeOffset.UtcNow.AddDays(6));
        Assert.Empty(await Fake.GetProjectsAsync());
        await Assert.ThrowsAsync<TenantStateException>(() => Rig.Provider.ProvisionAsync(id, Request));

        var recovered = await Rig.Provider.RecoverAsync(id);

        Assert.Equal(TenantState.Ready, recovered.State);
        Assert.Equal(tenant.ProjectId, Assert.Single(await Fake.GetProjectsAsync()).Id);
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(Rig.Secret((await Rig.Catalog.GetAsync(id))!, ConnectionSecretKind.Direct)));
    }

    [Fact]
    public async Task DeleteAsync_ProjectAlreadyGoneInNeon_Succeeds()
    {
        var id = TenantId.Parse("gone2");
        var tenant = await Rig.Provider.ProvisionAsync(id, Request);
        await Rig.Api.Projects.DeleteProjectAsync(tenant.ProjectId!);

        var deleted = await Rig.Provider.DeleteAsync(id);

        Assert.Equal(TenantState.Deleted, deleted.Tenant.State);
    }

    [Fact]
    public async Task RotateCredentialsAsync_NewSecretConnects_OldPasswordStops_ConnectionChangeSignalled()
    {
        var id = TenantId.Parse("rotor");
        await Rig.Provider.ProvisionAsync(id, Request);
        var before = (await Rig.Catalog.GetAsync(id))!;
        var oldDirect = Rig.Secret(before, ConnectionSecretKind.Direct);
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(oldDirect));
        var changes = new List<TenantChange>();
        using var subscription = Rig.Catalog.SubscribeToChanges(c => { lock (changes) { changes.Add(c); } });

        await Rig.Provider.RotateCredentialsAsync(id);

        var after = (await Rig.Catalog.GetAsync(id))!;
        var newDirect = Rig.Secret(after, ConnectionSecretKind.Direct);
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(oldDirect).Password, new NpgsqlConnectionStringBuilder(newDirect).Password);
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(newDirect));
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(Rig.Secret(after, ConnectionSecretKind.Pooled)));
        await Assert.ThrowsAsync<PostgresException>(() => ProvisioningRig.SelectOneAsync(oldDirect));
        await WaitForConnectionChangeAsync(changes, id);
    }

    [Fact]
    public async Task RestoreAsync_ToTimestamp_PreservesUnderNameWaitsAndSignalsConnectionChange()
    {
        var id = TenantId.Parse("restorer");
        var tenant = await Rig.Provider.ProvisionAsync(id, Request);
        var changes = new List<TenantChange>();
        using var subscription = Rig.Catalog.SubscribeToChanges(c => { lock (changes) { changes.Add(c); } });
        var at = DateTimeOffset.UtcNow; // after the branch was created, inside its history
        await Task.Delay(100);

        var result = await Rig.Provider.RestoreAsync(id, new TenantRestoreRequest { Timestamp = at, PreserveUnderName = "before-incident" });

        Assert.Equal("before-incident", result.PreservedBranchName);
        Assert.Equal(1, Fake.CallsPerRoute["POST projects/{project_id}/branches/{branch_id}/restore"]);
        var branches = await Rig.Api.Branches.ListAllProjectBranchesAsync(tenant.ProjectId!).ToListAsync();
        Assert.Contains(branches, b => b.Name == "before-incident");
        var operations = await Rig.Api.Operations.ListProjectOperationsAsync(tenant.ProjectId!);
        Assert.All(operations.Operations, o => Assert.True(o.Status == OperationStatus.Finished, "restore must wait for its operations"));
        await WaitForConnectionChangeAsync(changes, id);

        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(Rig.Secret((await Rig.Catalog.GetAsync(id))!, ConnectionSecretKind.Direct)));
        await Assert.ThrowsAsync<ArgumentException>(() => Rig.Provider.RestoreAsync(id, new TenantRestoreRequest()));
    }

    /// <summary>The change feed calls handlers on a background thread: wait (bounded) for the signal.</summary>
    private static async Task WaitForConnectionChangeAsync(List<TenantChange> changes, TenantId id)
    {
        for (var waited = 0; waited < 5000; waited += 20)
        {
            lock (changes)
            {
                if (changes.Exists(c => c.TenantId == id && c.ConnectionChanged))
                {
                    return;
                }
            }

            await Task.Delay(20);
        }

        Assert.Fail("No ConnectionChanged signal for the tenant within 5 s.");
    }

    [Fact]
    public async Task SweepOrphansAsync_ReportsPrefixedProjectsUnknownToTheCatalog_DeletesOnlyWhenAsked()
    {
        await Rig.Provider.ProvisionAsync(TenantId.Parse("kept"), Request);
        Fake.Faults.Inject("POST projects", NeonFault.FailOperation(), times: 1);
        await Assert.ThrowsAsync<Api.NeonOperationFailedException>(() => Rig.Provider.ProvisionAsync(TenantId.Parse("broken"), Request));
        var orphan = await Rig.Api.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = new ProjectCreateRequestProject { Name = "tenant-orphan" } });
        await Rig.Api.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = new ProjectCreateRequestProject { Name = "someone-else" } });

        var reported = await Rig.Provider.SweepOrphansAsync();

        Assert.Equal(2, reported.Count);
        var found = Assert.Single(reported, r => r.Reason == TenantOrphanReason.NotInCatalog);
        Assert.Equal(orphan.Project.Id, found.ProjectId);
        Assert.False(found.Deleted);
        Assert.Equal(TenantId.Parse("broken"), Assert.Single(reported, r => r.Reason == TenantOrphanReason.TenantFailed).TenantId);
        Assert.Equal(4, (await Fake.GetProjectsAsync()).Count);

        var swept = await Rig.Provider.SweepOrphansAsync(deleteOrphans: true);

        Assert.True(Assert.Single(swept, r => r.Reason == TenantOrphanReason.NotInCatalog).Deleted);
        Assert.False(Assert.Single(swept, r => r.Reason == TenantOrphanReason.TenantFailed).Deleted);
        Assert.DoesNotContain(await Fake.GetProjectsAsync(), p => p.Id == orphan.Project.Id);
        Assert.Equal(3, (await Fake.GetProjectsAsync()).Count);
    }
}
