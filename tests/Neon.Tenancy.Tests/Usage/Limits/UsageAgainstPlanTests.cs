using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neon.Tenancy.Testing;
using NSubstitute;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>Current counters against the plan's limits, and the crossings the threshold observers hear of.</summary>
public sealed class UsageAgainstPlanTests
{
    private static readonly TenantPlanSettings Pro = new()
    {
        ComputeTimeSecondsQuota = 1000,
        WrittenDataBytesQuota = 0,
        DataTransferBytesQuota = null,
    };

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
        await using var rig = await StartProAsync();

        var result = await ReadAtAsync(rig, new NeonFakeUsage { ComputeTimeSeconds = used, WrittenDataBytes = 99 });

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
        await using var rig = await StartProAsync(new TenantPlanSettings
        {
            ActiveTimeSecondsQuota = 3600,
            ComputeTimeSecondsQuota = 900,
            WrittenDataBytesQuota = 10_000,
            DataTransferBytesQuota = 20_000,
        });

        var result = await ReadAtAsync(rig, new NeonFakeUsage { ActiveTimeSeconds = 1800, ComputeTimeSeconds = 450, WrittenDataBytes = 2_500, DataTransferBytes = 20_001 });

        Assert.Equal(
            [(UsageLimitMetric.ActiveTime, 1800L, 50.0), (UsageLimitMetric.ComputeTime, 450L, 50.0), (UsageLimitMetric.WrittenData, 2_500L, 25.0), (UsageLimitMetric.DataTransfer, 20_001L, 100.005)],
            result.Limits.Select(l => (l.Metric, l.Used, Math.Round(l.Percent, 3))));
        Assert.True(result.AnyExceeded);
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_StorageQuota_ReadsTheBranchLogicalSize()
    {
        await using var rig = await StartProAsync(new TenantPlanSettings { LogicalSizeBytesQuota = 10_000_000_000 });

        var result = await ReadAtAsync(rig, new NeonFakeUsage { LogicalSizeBytes = 8_500_000_000, SyntheticStorageSize = 1 });

        // Logical size is not a period counter: it is the branch's current size, one GET of the tenant's branch.
        var limit = Assert.Single(result.Limits);
        Assert.Equal((UsageLimitMetric.LogicalSize, 8_500_000_000L, 10_000_000_000L, 85.0), (limit.Metric, limit.Used, limit.Limit, limit.Percent));
        Assert.Equal(1, rig.Calls("GET projects/{project_id}/branches/{branch_id}"));
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_Observer_FiresOncePerCrossing()
    {
        var observer = new RecordingObserver();
        await using var rig = await StartProAsync(observers: observer);

        foreach (var used in new long[] { 0, 799, 800, 900, 1000, 1200, 500, 850 })
        {
            // 800 approaching, 1000 exceeded, 500 back to normal (limit raised or usage corrected), 850 approaching again.
            await ReadAtAsync(rig, new NeonFakeUsage { ComputeTimeSeconds = used });
        }

        Assert.Equal(
            [(UsageThresholdLevel.Approaching, 800L), (UsageThresholdLevel.Exceeded, 1000L), (UsageThresholdLevel.Approaching, 850L)],
            observer.Crossings.Select(c => (c.Level, c.Limit.Used)));
        var first = observer.Crossings[0];
        Assert.Equal(rig.Tenants[0].Tenant, first.TenantId);
        Assert.Equal("pro", first.Plan);
        Assert.Equal(80, first.ThresholdPercent);
        Assert.Equal(UsageLimitMetric.ComputeTime, first.Limit.Metric);
    }

    [Fact]
    public async Task GetUsageAgainstPlanAsync_JumpPastTheLimit_NotifiesExceededOnly()
    {
        var observer = new RecordingObserver();
        await using var rig = await StartProAsync(usage: o => o.ThresholdPercent = 50, observers: observer);

        await ReadAtAsync(rig, new NeonFakeUsage { ComputeTimeSeconds = 499 });
        await ReadAtAsync(rig, new NeonFakeUsage { ComputeTimeSeconds = 5000 });
        await ReadAtAsync(rig, new NeonFakeUsage { ComputeTimeSeconds = 5000 });

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
        await using var rig = await StartProAsync(observers: [failing, recording]);

        var result = await ReadAtAsync(rig, new NeonFakeUsage { ComputeTimeSeconds = 900 });

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
        await using var rig = await UsageRig.StartAsync(tenants: 5, usage: o => o.MaxConcurrency = 2, configure: s => s.AddSingleton<IUsageThresholdObserver>(observer));
        var tenants = rig.Tenants;
        rig.Plans.GetSettings("pro").Returns(Pro);
        rig.Plans.GetSettings("gone").Returns(_ => throw new UnknownPlanException("gone"));
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

    /// <summary>The rig with one tenant on plan <c>pro</c>, limited by <paramref name="settings"/> (default <see cref="Pro"/>), and the observers registered.</summary>
    private static async Task<UsageRig> StartProAsync(TenantPlanSettings? settings = null, Action<TenantUsageOptions>? usage = null, params IUsageThresholdObserver[] observers)
    {
        var rig = await UsageRig.StartAsync(tenants: 1, usage: usage, configure: s =>
        {
            foreach (var observer in observers)
            {
                s.AddSingleton(observer);
            }
        });
        rig.Plans.GetSettings("pro").Returns(settings ?? Pro);
        return rig;
    }

    /// <summary>Sets the tenant's counters on the fake, then reads them against the plan.</summary>
    private static async Task<TenantUsageAgainstPlan> ReadAtAsync(UsageRig rig, NeonFakeUsage usage)
    {
        await rig.Fake.SetUsageAsync(rig.Tenants[0].ProjectId, usage);
        return await rig.Usage.GetUsageAgainstPlanAsync(rig.Tenants[0].Tenant);
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
