using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>Current billing period counters: one tenant's, mapped to types, and the fleet's, summed.</summary>
public sealed class CurrentUsageTests
{
    [Fact]
    public async Task GetCurrentUsageAsync_MapsProjectCountersToTypes()
    {
        await using var rig = UsageRig.Create();
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];
        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage
        {
            ActiveTimeSeconds = 7200,
            ComputeTimeSeconds = 1800,
            WrittenDataBytes = 3_000_000_000,
            DataTransferBytes = 4_000_000_000_000,
            DataStorageBytesHour = 5_000_000_000_000,
            SyntheticStorageSize = 6_000_000_000,
        });
        var project = (await rig.Fake.GetProjectsAsync()).Single(p => p.Id == projectId);

        var usage = await rig.Usage.GetCurrentUsageAsync(tenant);

        Assert.Equal(tenant, usage.TenantId);
        Assert.Equal(projectId, usage.ProjectId);
        Assert.Equal(TimeSpan.FromHours(2), usage.ActiveTime);
        Assert.Equal(TimeSpan.FromMinutes(30), usage.ComputeTime);
        Assert.Equal(0.5, usage.ComputeUnitHours);
        Assert.Equal(3_000_000_000, usage.WrittenBytes);
        Assert.Equal(4_000_000_000_000, usage.TransferBytes);
        Assert.Equal(5_000_000_000_000, usage.StorageByteHours);
        Assert.Equal(6_000_000_000, usage.StorageBytes);
        Assert.Equal(project.ConsumptionPeriodStart, usage.PeriodStart);
        Assert.Equal(project.ConsumptionPeriodEnd, usage.PeriodEnd);
        Assert.Equal(rig.Time.GetUtcNow(), usage.ReadAt);
        Assert.Equal(1, rig.Calls(UsageRig.ProjectRoute));
    }

    [Fact]
    public async Task GetCurrentUsageAsync_UnknownTenantOrNoProject_TypedErrorsWithoutCalls()
    {
        await using var rig = UsageRig.Create();
        var pending = TenantId.Parse("pending");
        await rig.AddTenantAsync(pending, projectId: null);

        var notFound = await Assert.ThrowsAsync<TenantNotFoundException>(() => rig.Usage.GetCurrentUsageAsync(TenantId.Parse("nobody")));
        var missing = await Assert.ThrowsAsync<TenantStateException>(() => rig.Usage.GetUsageAgainstPlanAsync(pending));

        Assert.Equal("nobody", notFound.TenantId.Value);
        Assert.Equal(pending, missing.TenantId);
        Assert.Equal(TenantState.Provisioning, missing.State);
        Assert.Equal("read usage", missing.Operation);
        Assert.Contains("no Neon project", missing.Message, StringComparison.Ordinal);
        Assert.Empty(rig.Fake.RequestLog);
    }

    [Fact]
    public async Task GetFleetUsageAsync_SumsEveryProject()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(3);
        await rig.AddTenantAsync(TenantId.Parse("pending"), projectId: null);
        foreach (var (_, projectId) in tenants)
        {
            await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ActiveTimeSeconds = 60, ComputeTimeSeconds = 3600, DataTransferBytes = 10, DataStorageBytesHour = 100, WrittenDataBytes = 1 });
        }

        var fleet = await rig.Usage.GetFleetUsageAsync();

        Assert.Equal(3, fleet.Tenants.Count);
        Assert.Equal(new UsageTotals(3, TimeSpan.FromMinutes(3), TimeSpan.FromHours(3), 3, 30, 300, fleet.Tenants.Sum(t => t.StorageBytes ?? 0)), fleet.Totals);
        Assert.Equal([TenantId.Parse("pending")], fleet.TenantsWithoutProject);
        Assert.Empty(fleet.Failed);
    }
}
