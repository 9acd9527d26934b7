using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Plans;

/// <summary>Plan changes and reconciles racing on the same tenants, with operations that take time (the fake answers 423 meanwhile).</summary>
public sealed class PlanLimitsConcurrencyTests : IAsyncLifetime
{
    private readonly string _key = SecretsTestData.NewKey();
    private NeonFakeServer _fake = null!;
    private ProvisioningRig _rig = null!;

    public Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(30));
        _rig = ProvisioningRig.Create(_fake, _key, configure: services => new NeonTenancyBuilder(services).ConfigurePlans(o =>
        {
            o.Plans["free"] = new TenantPlan { ComputeHours = 5, MinComputeUnits = 0.25, MaxComputeUnits = 1, SuspendTimeout = TimeSpan.FromMinutes(5) };
            o.Plans["pro"] = new TenantPlan { ComputeHours = 100, MinComputeUnits = 0.5, MaxComputeUnits = 4, SuspendTimeout = TimeSpan.FromMinutes(10) };
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task ChangePlanAsync_ManyConcurrentChangesAndReconciles_EndInLineWithTheRecordedPlan()
    {
        var plans = _rig.Services.GetRequiredService<IPlanLimits>();
        var tenants = new List<TenantId>();
        for (var i = 0; i < 3; i++)
        {
            var tenant = await _rig.Provider.ProvisionAsync(TenantId.Parse($"t{i}"), new TenantProvisionRequest { Plan = "free" });
            tenants.Add(tenant.TenantId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var work = new List<Task>();
        for (var i = 0; i < 24; i++)
        {
            var tenant = tenants[i % tenants.Count];
            var plan = i % 2 == 0 ? "pro" : "free";
            work.Add(Task.Run(() => plans.ChangePlanAsync(tenant, plan, timeout.Token), timeout.Token));
            if (i % 8 == 0)
            {
                work.Add(Task.Run(async () => Assert.Empty((await plans.ReconcileAsync(cancellationToken: timeout.Token)).Failed), timeout.Token));
            }
        }

        await Task.WhenAll(work);

        // Serialised per tenant: the project ends with the settings of the plan recorded last, whatever the interleaving.
        foreach (var tenant in tenants)
        {
            var drift = await plans.CheckDriftAsync(tenant);
            Assert.False(drift.HasDrift, string.Join("; ", drift.Differences));
        }
    }
}
