using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Plans;

/// <summary>
/// A tenant's own settings (<see cref="TenantProvisionRequest.Settings"/>) are stored on the tenant and are its one
/// source of truth until a plan change: drift and reconcile compare against them (they are not reverted to the plan),
/// suspension and resumption apply them, and the connection layer's pool size reads them.
/// </summary>
public sealed class PlanOverrideTests : ProvisioningTestBase
{
    private static readonly TenantPlanSettings Own = new()
    {
        ComputeTimeSecondsQuota = 7200,
        AutoscalingMinCu = 0.25,
        AutoscalingMaxCu = 2,
        SuspendTimeout = Timeout.InfiniteTimeSpan,
        MaxPoolSize = 3,
    };

    private IPlanLimits Plans => Rig.Services.GetRequiredService<IPlanLimits>();

    internal override ProvisioningRig CreateRig() => ProvisioningRig.Create(Fake, Key, configure: services =>
        services.Configure<TenantPlanOptions>(o =>
        {
            o.DefaultPlan = "free";
            o.Plans["free"] = new TenantPlan { ComputeHours = 1, MinComputeUnits = 0.25, MaxComputeUnits = 1, SuspendTimeout = TimeSpan.FromMinutes(5), MaxPoolSize = 10 };
        }));

    private async Task<long?> ComputeQuotaInNeonAsync(string projectId) =>
        (await Fake.GetProjectsAsync()).Single(p => p.Id == projectId).Settings?.Quota?.ComputeTimeSeconds;

    [Fact]
    public async Task ProvisionAsync_OwnSettings_StoredAndReconcileKeepsThem()
    {
        var id = TenantId.Parse("custom");

        var tenant = await Rig.Provider.ProvisionAsync(id, new TenantProvisionRequest { Plan = "free", Settings = Own });

        Assert.Equal(Own, tenant.Settings);
        Assert.Equal(Own, (await Rig.Catalog.GetAsync(id))!.Settings);
        Assert.Equal(7200, await ComputeQuotaInNeonAsync(tenant.ProjectId!));
        Assert.False((await Plans.CheckDriftAsync(id)).HasDrift);

        var report = await Plans.ReconcileAsync();

        Assert.Equal(1, report.Checked);
        Assert.Empty(report.Drifted);
        Assert.Empty(report.Fixed);
        Assert.Equal(7200, await ComputeQuotaInNeonAsync(tenant.ProjectId!)); // not reverted to the plan's 3600
        Assert.Equal(3, Rig.Services.GetRequiredService<PlanBook>().GetRecordedSettings((await Rig.Catalog.GetAsync(id))!).MaxPoolSize);
    }

    [Fact]
    public async Task SuspendThenResume_OwnSettings_ResumeRestoresThemNotThePlans()
    {
        var id = TenantId.Parse("custom-resume");
        var tenant = await Rig.Provider.ProvisionAsync(id, new TenantProvisionRequest { Plan = "free", Settings = Own });

        await Plans.SuspendAsync(id);
        Assert.Equal(1, await ComputeQuotaInNeonAsync(tenant.ProjectId!));
        await Plans.ResumeAsync(id);

        Assert.Equal(7200, await ComputeQuotaInNeonAsync(tenant.ProjectId!));
        Assert.False((await Plans.CheckDriftAsync(id)).HasDrift);
    }

    [Fact]
    public async Task ChangePlanAsync_OwnSettings_DroppedForTheNewPlans()
    {
        var id = TenantId.Parse("custom-change");
        var tenant = await Rig.Provider.ProvisionAsync(id, new TenantProvisionRequest { Plan = "free", Settings = Own });

        var changed = await Plans.ChangePlanAsync(id, "free");

        Assert.Null(changed.Settings);
        Assert.Equal(3600, await ComputeQuotaInNeonAsync(tenant.ProjectId!));
        Assert.False((await Plans.CheckDriftAsync(id)).HasDrift);
    }

    [Fact]
    public async Task GetDataSourceAsync_OwnMaxPoolSize_SizesTheTenantsPool()
    {
        var id = TenantId.Parse("custom-pool");
        await Rig.Provider.ProvisionAsync(id, new TenantProvisionRequest { Plan = "free", Settings = Own });

        var dataSource = await Rig.Services.GetRequiredService<ITenantConnectionFactory>().GetDataSourceAsync(id);

        Assert.Equal(3, new Npgsql.NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize); // the plan says 10
    }
}
