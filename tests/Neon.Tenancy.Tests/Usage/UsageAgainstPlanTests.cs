using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neon.Tenancy.Testing;
using NSubstitute;

namespace Neon.Tenancy.Tests.Usage;

public sealed class UsageAgainstPlanTests
{
    private static readonly TenantPlanSettings Pro = new()
    {
        ComputeTimeSecondsQuota = 1000,
        WrittenDataBytesQuota = 0,
        DataTransferBytesQuota = null,
    };

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
        var missing = await Assert.ThrowsAsync<TenantProjectMissingException>(() => rig.Usage.GetUsageAgainstPlanAsync(pending));

        Assert.Equal("nobody", notFound.TenantId.Value);
        Assert.Equal(pending, missing.TenantId);
        Assert.Equal(TenantState.Provisioning, missing.State);
        Assert.Empty(rig.Fake.RequestLog);
    }

    public static TheoryData<long, double, long, bool> Headroom => new()
    {
        { 0, 0, 1000, false },
        { 800, 80, 200, false },
        { 1000, 100, 0, true },
        { 1500, 150, 0, true },
    };

    [Theory]
    [MemberData(nameof(Headroom))]
    public async Task GetUsageAgainstPlanAsync_ComputeQuota_HeadroomAtEachLevel(long used, double percent, long remaining, bool exceeded)
    {
        await using var rig = UsageRig.Create();
        rig.Plans.GetSettings("pro").Returns(Pro);
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];
        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ComputeTimeSeconds = used, WrittenDataBytes = 99 });

        var result = await rig.Usage.GetUsageAgainstPlanAsync(tenant);

        // Only the limited metric is listed: 0 and null quotas mean unlimited.
        var limit = Assert.Single(result.Limits);
        Assert.Equal(UsageLimitMetric.ComputeTime, limit.Metric);
        Assert.Equal(used, limit.Used);
        Assert.Equal(1000, limit.Limit);
        Assert.Equal(percent, limit.Percent, 6);
        Assert.Equal(remaining, limit.Remaining);
        Assert.Equal(exceeded, limit.Exceeded);
        Assert.Equal(exceeded, result.AnyExceeded);
        Assert.Equal("pro", result.Plan);
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_EveryQuota_ListedInNeonUnits()
    {
        await using var rig = UsageRig.Create();
        rig.Plans.GetSettings("pro").Returns(new TenantPlanSettings
        {
            ActiveTimeSecondsQuota = 3600,
            ComputeTimeSecondsQuota = 900,
            WrittenDataBytesQuota = 10_000,
            DataTransferBytesQuota = 20_000,
        });
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];
        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ActiveTimeSeconds = 1800, ComputeTimeSeconds = 450, WrittenDataBytes = 2_500, DataTransferBytes = 20_001 });

        var result = await rig.Usage.GetUsageAgainstPlanAsync(tenant);

        Assert.Equal(
            [(UsageLimitMetric.ActiveTime, 1800L, 50.0), (UsageLimitMetric.ComputeTime, 450L, 50.0), (UsageLimitMetric.WrittenData, 2_500L, 25.0), (UsageLimitMetric.DataTransfer, 20_001L, 100.005)],
            result.Limits.Select(l => (l.Metric, l.Used, Math.Round(l.Percent, 3))));
        Assert.True(result.AnyExceeded);
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_StorageQuota_ReadsTheBranchLogicalSize()
    {
        await using var rig = UsageRig.Create();
        rig.Plans.GetSettings("pro").Returns(new TenantPlanSettings { LogicalSizeBytesQuota = 10_000_000_000 });
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];
        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { LogicalSizeBytes = 8_500_000_000, SyntheticStorageSize = 1 });

        var result = await rig.Usage.GetUsageAgainstPlanAsync(tenant);

        // Logical size is not a period counter: it is the branch's current size, one GET of the tenant's branch.
        var limit = Assert.Single(result.Limits);
        Assert.Equal((UsageLimitMetric.LogicalSize, 8_500_000_000L, 10_000_000_000L, 85.0), (limit.Metric, limit.Used, limit.Limit, limit.Percent));
        Assert.Equal(1, rig.Calls("GET projects/{project_id}/branches/{branch_id}"));
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_Observer_FiresOncePerCrossing()
    {
        var observer = new RecordingObserver();
        await using var rig = UsageRig.Create(configure: s => s.AddSingleton<IUsageThresholdObserver>(observer));
        rig.Plans.GetSettings("pro").Returns(Pro);
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];

        async Task ReadAtAsync(long used)
        {
            await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ComputeTimeSeconds = used });
            await rig.Usage.GetUsageAgainstPlanAsync(tenant);
        }

        await ReadAtAsync(0);
        await ReadAtAsync(799);
        await ReadAtAsync(800);   // approaching
        await ReadAtAsync(900);
        await ReadAtAsync(1000);  // exceeded
        await ReadAtAsync(1200);
        await ReadAtAsync(500);   // limit raised or usage corrected: back to normal
        await ReadAtAsync(850);   // approaching again

        Assert.Equal(
            [(UsageThresholdLevel.Approaching, 800L), (UsageThresholdLevel.Exceeded, 1000L), (UsageThresholdLevel.Approaching, 850L)],
            observer.Crossings.Select(c => (c.Level, c.Limit.Used)));
        var first = observer.Crossings[0];
        Assert.Equal(tenant, first.TenantId);
        Assert.Equal("pro", first.Plan);
        Assert.Equal(80, first.ThresholdPercent);
        Assert.Equal(UsageLimitMetric.ComputeTime, first.Limit.Metric);
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_JumpPastTheLimit_NotifiesExceededOnly()
    {
        var observer = new RecordingObserver();
        await using var rig = UsageRig.Create(usage: o => o.ThresholdPercent = 50, configure: s => s.AddSingleton<IUsageThresholdObserver>(observer));
        rig.Plans.GetSettings("pro").Returns(Pro);
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];

        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ComputeTimeSeconds = 499 });
        await rig.Usage.GetUsageAgainstPlanAsync(tenant);
        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ComputeTimeSeconds = 5000 });
        await rig.Usage.GetUsageAgainstPlanAsync(tenant);
        await rig.Usage.GetUsageAgainstPlanAsync(tenant);

        var crossing = Assert.Single(observer.Crossings);
        Assert.Equal(UsageThresholdLevel.Exceeded, crossing.Level);
        Assert.Equal(50, crossing.ThresholdPercent);
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_ObserverThrows_LoggedAndOthersStillCalled()
    {
        var failing = Substitute.For<IUsageThresholdObserver>();
        failing.OnThresholdCrossedAsync(Arg.Any<UsageThresholdCrossing>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new InvalidOperationException("mail server down"));
        var recording = new RecordingObserver();
        await using var rig = UsageRig.Create(configure: s =>
        {
            s.AddSingleton(failing);
            s.AddSingleton<IUsageThresholdObserver>(recording);
        });
        rig.Plans.GetSettings("pro").Returns(Pro);
        var (tenant, projectId) = (await rig.AddTenantsAsync(1))[0];
        await rig.Fake.SetUsageAsync(projectId, new NeonFakeUsage { ComputeTimeSeconds = 900 });

        var result = await rig.Usage.GetUsageAgainstPlanAsync(tenant);

        Assert.Equal(900, result.Limits[0].Used);
        Assert.Single(recording.Crossings);
        var log = Assert.Single(rig.Logs.GetSnapshot(), r => r.Id.Id == 6006);
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    [Fact]
    public async Task GetFleetUsageAgainstPlanAsync_ReadsEveryTenantReportsTheRest()
    {
        var observer = new RecordingObserver();
        await using var rig = UsageRig.Create(usage: o => o.MaxConcurrency = 2, configure: s => s.AddSingleton<IUsageThresholdObserver>(observer));
        rig.Plans.GetSettings("pro").Returns(Pro);
        rig.Plans.GetSettings("gone").Returns(_ => throw new UnknownPlanException("gone"));
        var tenants = await rig.AddTenantsAsync(5);
        await rig.AddTenantAsync(TenantId.Parse("pending"), projectId: null);
        await rig.AddTenantAsync(TenantId.Parse("oldplan"), tenants[0].ProjectId, plan: "gone");
        for (var i = 0; i < tenants.Count; i++)
        {
            await rig.Fake.SetUsageAsync(tenants[i].ProjectId, new NeonFakeUsage { ComputeTimeSeconds = 300L * i });
        }

        var fleet = await rig.Usage.GetFleetUsageAgainstPlanAsync();

        Assert.Equal(tenants.Select(t => t.Tenant), fleet.Tenants.Select(t => t.TenantId));
        Assert.Equal([0L, 300L, 600L, 900L, 1200L], fleet.Tenants.Select(t => t.Limits[0].Used));
        Assert.Equal([TenantId.Parse("pending")], fleet.TenantsWithoutProject);
        Assert.Contains("gone", Assert.Single(fleet.Failed).Value, StringComparison.Ordinal);
        Assert.Equal(
            [(tenants[3].Tenant, UsageThresholdLevel.Approaching), (tenants[4].Tenant, UsageThresholdLevel.Exceeded)],
            observer.Crossings.Select(c => (c.TenantId, c.Level)).Order());
        Assert.Equal(5, rig.Calls(UsageRig.ProjectRoute));
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

    private sealed class RecordingObserver : IUsageThresholdObserver
    {
        private readonly Lock _lock = new();

        public List<UsageThresholdCrossing> Crossings { get; } = [];

        public ValueTask OnThresholdCrossedAsync(UsageThresholdCrossing crossing, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Crossings.Add(crossing);
            }

            return ValueTask.CompletedTask;
        }
    }
}
