using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Provisioning;

public sealed class TenantLifecycleTests : IAsyncLifetime
{
    private static readonly TenantProvisionRequest Request = new() { Plan = "pro" };
    private readonly string _key = SecretsTestData.NewKey();
    private NeonFakeServer _fake = null!;
    private ProvisioningRig _rig = null!;

    public Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake();
        _rig = ProvisioningRig.Create(_fake, _key);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task DeleteAsync_Twice_SecondIsNoOpAndRecoverBringsTenantBack()
    {
        var id = TenantId.Parse("gone");
        var tenant = await _rig.Provider.ProvisionAsync(id, Request);

        var deleted = await _rig.Provider.DeleteAsync(id);
        var calls = _fake.RequestLog.Count;
        var again = await _rig.Provider.DeleteAsync(id);

        Assert.Equal(TenantState.Deleted, deleted.Tenant.State);
        Assert.Equal(TenantState.Deleted, again.Tenant.State);
        Assert.Equal(calls, _fake.RequestLog.Count);
        Assert.True(deleted.RecoverableUntil > DateTimeOffset.UtcNow.AddDays(6));
        Assert.Empty(await _fake.GetProjectsAsync());
        await Assert.ThrowsAsync<TenantStateException>(() => _rig.Provider.ProvisionAsync(id, Request));

        var recovered = await _rig.Provider.RecoverAsync(id);

        Assert.Equal(TenantState.Ready, recovered.State);
        Assert.Equal(tenant.ProjectId, Assert.Single(await _fake.GetProjectsAsync()).Id);
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(_rig.Secret((await _rig.Catalog.GetAsync(id))!, ConnectionSecretKind.Direct)));
    }

    [Fact]
    public async Task DeleteAsync_ProjectAlreadyGoneInNeon_Succeeds()
    {
        var id = TenantId.Parse("gone2");
        var tenant = await _rig.Provider.ProvisionAsync(id, Request);
        await _rig.Api.Projects.DeleteProjectAsync(tenant.ProjectId!);

        var deleted = await _rig.Provider.DeleteAsync(id);

        Assert.Equal(TenantState.Deleted, deleted.Tenant.State);
    }

    [Fact]
    public async Task RotateCredentialsAsync_NewSecretConnects_OldPasswordStops_ConnectionChangeSignalled()
    {
        var id = TenantId.Parse("rotor");
        await _rig.Provider.ProvisionAsync(id, Request);
        var before = (await _rig.Catalog.GetAsync(id))!;
        var oldDirect = _rig.Secret(before, ConnectionSecretKind.Direct);
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(oldDirect));
        var changes = new List<TenantChange>();
        using var subscription = _rig.Catalog.SubscribeToChanges(c => { lock (changes) { changes.Add(c); } });

        await _rig.Provider.RotateCredentialsAsync(id);

        var after = (await _rig.Catalog.GetAsync(id))!;
        var newDirect = _rig.Secret(after, ConnectionSecretKind.Direct);
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(oldDirect).Password, new NpgsqlConnectionStringBuilder(newDirect).Password);
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(newDirect));
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(_rig.Secret(after, ConnectionSecretKind.Pooled)));
        await Assert.ThrowsAsync<PostgresException>(() => ProvisioningRig.SelectOneAsync(oldDirect));
        await WaitForConnectionChangeAsync(changes, id);
    }

    [Fact]
    public async Task RestoreAsync_ToTimestamp_PreservesUnderNameWaitsAndSignalsConnectionChange()
    {
        var id = TenantId.Parse("restorer");
        var tenant = await _rig.Provider.ProvisionAsync(id, Request);
        var changes = new List<TenantChange>();
        using var subscription = _rig.Catalog.SubscribeToChanges(c => { lock (changes) { changes.Add(c); } });
        var at = DateTimeOffset.UtcNow; // after the branch was created, inside its history
        await Task.Delay(100);

        var result = await _rig.Provider.RestoreAsync(id, new TenantRestoreRequest { Timestamp = at, PreserveUnderName = "before-incident" });

        Assert.Equal("before-incident", result.PreservedBranchName);
        Assert.Equal(1, _fake.CallsPerRoute["POST projects/{project_id}/branches/{branch_id}/restore"]);
        var branches = await _rig.Api.Branches.ListAllProjectBranchesAsync(tenant.ProjectId!).ToListAsync();
        Assert.Contains(branches, b => b.Name == "before-incident");
        var operations = await _rig.Api.Operations.ListProjectOperationsAsync(tenant.ProjectId!);
        Assert.All(operations.Operations, o => Assert.True(o.Status == OperationStatus.Finished, "restore must wait for its operations"));
        await WaitForConnectionChangeAsync(changes, id);

        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(_rig.Secret((await _rig.Catalog.GetAsync(id))!, ConnectionSecretKind.Direct)));
        await Assert.ThrowsAsync<ArgumentException>(() => _rig.Provider.RestoreAsync(id, new TenantRestoreRequest()));
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
        await _rig.Provider.ProvisionAsync(TenantId.Parse("kept"), Request);
        _fake.Faults.Inject("POST projects", NeonFault.FailOperation(), times: 1);
        await Assert.ThrowsAsync<TenantProvisioningException>(() => _rig.Provider.ProvisionAsync(TenantId.Parse("broken"), Request));
        var orphan = await _rig.Api.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = new ProjectCreateRequestProject { Name = "tenant-orphan" } });
        await _rig.Api.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = new ProjectCreateRequestProject { Name = "someone-else" } });

        var reported = await _rig.Provider.SweepOrphansAsync();

        Assert.Equal(2, reported.Count);
        var found = Assert.Single(reported, r => r.Reason == TenantOrphanReason.NotInCatalog);
        Assert.Equal(orphan.Project.Id, found.ProjectId);
        Assert.False(found.Deleted);
        Assert.Equal(TenantId.Parse("broken"), Assert.Single(reported, r => r.Reason == TenantOrphanReason.TenantFailed).TenantId);
        Assert.Equal(4, (await _fake.GetProjectsAsync()).Count);

        var swept = await _rig.Provider.SweepOrphansAsync(deleteOrphans: true);

        Assert.True(Assert.Single(swept, r => r.Reason == TenantOrphanReason.NotInCatalog).Deleted);
        Assert.False(Assert.Single(swept, r => r.Reason == TenantOrphanReason.TenantFailed).Deleted);
        Assert.DoesNotContain(await _fake.GetProjectsAsync(), p => p.Id == orphan.Project.Id);
        Assert.Equal(3, (await _fake.GetProjectsAsync()).Count);
    }
}
