using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Tenants;

/// <summary>
/// Every SDK call that changes a tenant's Neon project waits for the project's running operations first (the mutation
/// path, <see cref="TenantMutator"/>). The fake runs an operation "started outside the SDK" that outlasts the API
/// client's 423 retry budget; each mutation must still succeed, and the fake must have answered no 423 at all.
/// </summary>
public sealed class TenantMutationPathTests : IAsyncLifetime
{
    /// <summary>Longer than the retry budget below (two retries of at most 50 ms), short enough for a quick test.</summary>
    private static readonly TimeSpan OutsideOperation = TimeSpan.FromSeconds(1.5);

    private readonly string _key = SecretsTestData.NewKey();
    private NeonFakeServer _fake = null!;
    private ProvisioningRig _rig = null!;

    private IPlanLimits Plans => _rig.Services.GetRequiredService<IPlanLimits>();

    public Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake(TimeSpan.Zero);
        _rig = Rig(operationTimeout: null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _fake.DisposeAsync();
    }

    public static TheoryData<string> Mutations() =>
        ["delete", "restore", "rotate", "plan change", "suspend", "resume", "reconcile", "provision resume", "orphan sweep"];

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Mutation_OutsideOperationOutlastsRetryBudget_WaitsAndSucceedsWithoutA423(string mutation)
    {
        var tenant = TenantId.Parse("wait-" + mutation.Replace(' ', '-'));
        var provisioned = mutation == "provision resume"
            ? await ProvisionInterruptedAsync(tenant)
            : await _rig.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" });
        var projectId = provisioned.ProjectId!;
        if (mutation == "resume")
        {
            await Plans.SuspendAsync(tenant);
        }
        else if (mutation == "reconcile")
        {
            // Drift made behind the SDK's back, so that reconcile has something to fix.
            var drift = new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = new ProjectQuota { ComputeTimeSeconds = 42 } } } };
            await _rig.Api.Projects.UpdateProjectAsync(projectId, drift);
        }
        else if (mutation == "orphan sweep")
        {
            // The tenant's record goes; its project becomes an orphan the sweep deletes.
            await _rig.Catalog.RemoveAsync(tenant);
        }

        var before = _fake.RequestLog.Count;
        await _fake.StartOperationAsync(projectId, OutsideOperation);

        switch (mutation)
        {
            case "delete":
                Assert.Equal(TenantState.Deleted, (await _rig.Provider.DeleteAsync(tenant)).Tenant.State);
                break;
            case "restore":
                await _rig.Provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow });
                break;
            case "rotate":
                await _rig.Provider.RotateCredentialsAsync(tenant);
                break;
            case "plan change":
                Assert.Equal("pro", (await Plans.ChangePlanAsync(tenant, "pro")).Plan);
                break;
            case "suspend":
                Assert.Equal(TenantState.Suspended, (await Plans.SuspendAsync(tenant)).State);
                break;
            case "resume":
                Assert.Equal(TenantState.Ready, (await Plans.ResumeAsync(tenant)).State);
                break;
            case "reconcile":
                var report = await Plans.ReconcileAsync();
                Assert.Empty(report.Failed);
                Assert.Contains(tenant, report.Fixed);
                break;
            case "provision resume":
                Assert.Equal(TenantState.Ready, (await _rig.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" })).State);
                break;
            case "orphan sweep":
                var orphans = await _rig.Provider.SweepOrphansAsync(deleteOrphans: true);
                Assert.True(Assert.Single(orphans, o => o.ProjectId == projectId).Deleted);
                break;
        }

        var answered = _fake.RequestLog.Skip(before).ToList();
        Assert.DoesNotContain(answered, r => r.StatusCode == 423);
        Assert.Contains(answered, r => r.Route == "GET projects/{project_id}/operations"); // it looked before it changed anything
        Assert.Null((await _rig.Catalog.GetAsync(tenant))?.FailureReason);
    }

    [Fact]
    public async Task DeleteAsync_OperationsOutlastTheOperationTimeout_StaysDeletingWithTheReason_RepeatedCallCompletes()
    {
        await using var impatient = Rig(operationTimeout: TimeSpan.FromMilliseconds(300));
        var tenant = TenantId.Parse("delete-impatient");
        var provisioned = await impatient.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" });
        await _fake.StartOperationAsync(provisioned.ProjectId!, OutsideOperation);

        var failure = await Assert.ThrowsAsync<NeonOperationTimeoutException>(() => impatient.Provider.DeleteAsync(tenant));
        Assert.Single(failure.PendingOperations);
        var stuck = (await impatient.Catalog.GetAsync(tenant))!;
        Assert.Equal(TenantState.Deleting, stuck.State);
        Assert.StartsWith("delete: Neon operations still running after 0.3 s", stuck.FailureReason);
        Assert.Contains(await _fake.GetProjectsAsync(), p => p.Id == provisioned.ProjectId); // nothing was sent
        Assert.DoesNotContain(_fake.RequestLog, r => r.StatusCode == 423);

        // Other calls name the state and what to do.
        var refused = await Assert.ThrowsAsync<TenantStateException>(() => impatient.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" }));
        Assert.Contains("deletion did not finish", refused.Message);
        Assert.Contains("DeleteAsync finishes it", refused.Message);

        await Task.Delay(OutsideOperation);
        var deleted = await impatient.Provider.DeleteAsync(tenant);
        Assert.Equal(TenantState.Deleted, deleted.Tenant.State);
        Assert.NotNull(deleted.RecoverableUntil);
        Assert.Null((await impatient.Catalog.GetAsync(tenant))!.FailureReason);
        Assert.DoesNotContain(await _fake.GetProjectsAsync(), p => p.Id == provisioned.ProjectId);
        Assert.Equal(TenantState.Ready, (await impatient.Provider.RecoverAsync(tenant)).State);
    }

    [Fact]
    public async Task ChangePlanAsync_OutsideOperationFails_IsNotTheMutationsFailure()
    {
        var tenant = TenantId.Parse("outside-fails");
        var provisioned = await _rig.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" });
        await _fake.StartOperationAsync(provisioned.ProjectId!, TimeSpan.FromMilliseconds(300), failWith: "someone else's change failed");

        Assert.Equal("pro", (await Plans.ChangePlanAsync(tenant, "pro")).Plan);
    }

    /// <summary>Provisions up to the point where the catalog has the project but the tenant is not ready (a crash after the wait).</summary>
    private async Task<TenantRecord> ProvisionInterruptedAsync(TenantId tenant)
    {
        _rig.Provider.Checkpoint = (checkpoint, _) => checkpoint == ProvisioningCheckpoint.AfterWait
            ? ValueTask.FromException(new OperationCanceledException("simulated crash"))
            : ValueTask.CompletedTask;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => _rig.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" }));
        }
        finally
        {
            _rig.Provider.Checkpoint = null;
        }

        var record = (await _rig.Catalog.GetAsync(tenant))!;
        Assert.NotEqual(TenantState.Ready, record.State);
        Assert.Null(record.ApplicationRoleName); // the application role is created by the resumed call, after the outside operation
        return record;
    }

    private ProvisioningRig Rig(TimeSpan? operationTimeout) => ProvisioningRig.Create(_fake, _key, configure: services =>
    {
        services.Configure<NeonApiOptions>(o =>
        {
            o.Retry.MaxRetryAttempts = 2;
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(20);
            o.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
            o.Retry.UseJitter = false;
        });
        services.Configure<TenantProvisioningOptions>(o =>
        {
            o.ApplicationRoleName = "app";
            o.OperationTimeout = operationTimeout;
        });
        new NeonTenancyBuilder(services).ConfigurePlans(plans =>
        {
            plans.DefaultPlan = "free";
            plans.Plans["free"] = new TenantPlan { ComputeHours = 5, MinComputeUnits = 0.25, MaxComputeUnits = 1 };
            plans.Plans["pro"] = new TenantPlan { ComputeHours = 100, MinComputeUnits = 0.5, MaxComputeUnits = 4 };
        });
    });
}
