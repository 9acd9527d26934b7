using Neon.Tenancy.Api;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>History reads against the fake Neon: batching, mapping back to tenants, and Neon's rules checked before any call.</summary>
public sealed class UsageHistoryTests
{
    [Fact]
    public async Task GetHistoryAsync_ThousandTenants_OneCallPerHundredThenCachedUntilExpiry()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1000);
        var tenants = rig.Tenants;
        await rig.AddTenantAsync(TenantId.Parse("pending"), projectId: null);
        await rig.Fake.AddConsumptionAsync(tenants[0].ProjectId, rig.Now.AddDays(-2), "compute_unit_seconds", 3600);
        await rig.Fake.AddConsumptionAsync(tenants[999].ProjectId, rig.Now.AddDays(-1), "public_network_transfer_bytes", 5_000_000_000);
        await rig.Fake.AddConsumptionAsync(tenants[999].ProjectId, rig.Now.AddDays(-3), "public_network_transfer_bytes", 1);
        var request = UsageHistoryRequest.ForAllTenants(rig.Now.AddDays(-7), rig.Now);

        var first = await rig.Usage.GetHistoryAsync(request);
        var callsAfterFirst = rig.ConsumptionCalls;
        rig.Time.Advance(TimeSpan.FromMinutes(14));
        var second = await rig.Usage.GetHistoryAsync(request);
        var callsAfterSecond = rig.ConsumptionCalls;
        rig.Time.Advance(TimeSpan.FromMinutes(2));
        await rig.Usage.GetHistoryAsync(request);

        Assert.Equal(10, callsAfterFirst);
        Assert.Equal(10, callsAfterSecond);
        Assert.Same(first, second);
        Assert.Equal(20, rig.ConsumptionCalls);
        Assert.Equal(1000, first.Tenants.Count);
        Assert.Equal([TenantId.Parse("pending")], first.TenantsWithoutProject);
        var firstTenant = first.Tenants.Single(t => t.TenantId == tenants[0].Tenant);
        Assert.Equal(tenants[0].ProjectId, firstTenant.ProjectId);
        Assert.Equal(TimeSpan.FromHours(1), firstTenant.Total.ComputeTime);
        Assert.Equal(0, firstTenant.Total.PublicTransferBytes);
        Assert.Null(firstTenant.Total.SnapshotByteHours);
        Assert.Equal(5_000_000_001, first.Tenants.Single(t => t.TenantId == tenants[999].Tenant).Total.PublicTransferBytes);
        Assert.All(rig.Fake.RequestLog.Where(r => r.Route == UsageRig.ConsumptionRoute),
            r => Assert.InRange(r.Path.Split('&').Count(p => p.StartsWith("project_ids=", StringComparison.Ordinal)), 1, 100));
    }

    [Fact]
    public async Task GetHistoryAsync_HourlyWindow_MapsEachHourToTheTenant()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 2);
        var tenant = rig.Tenants[1];
        await rig.Fake.AddConsumptionAsync(tenant.ProjectId, rig.Now.AddHours(-2), "root_branch_bytes_month", 7_000);

        var history = await rig.Usage.GetHistoryAsync(new UsageHistoryRequest
        {
            Tenants = [tenant.Tenant],
            From = rig.Now.AddHours(-3),
            To = rig.Now,
            Granularity = UsageGranularity.Hourly,
            Metrics = [UsageMetric.RootBranchBytesMonth],
        });

        var read = Assert.Single(history.Tenants);
        Assert.Equal(tenant.Tenant, read.TenantId);
        Assert.Equal(4, read.Timeframes.Count);
        Assert.Equal([0L, 7_000L, 0L, 0L], read.Timeframes.Select(f => f.Values.RootBranchByteHours!.Value));
        Assert.Null(read.Total.ComputeTime);
        Assert.Equal([UsageMetric.RootBranchBytesMonth], history.Metrics);
    }

    public static TheoryData<UsageGranularity, int, string> BadWindows => new()
    {
        // Fake "now" is 2026-11-20T12:30Z. Hours/days back of From, and a part of the expected rule.
        { UsageGranularity.Hourly, 169, "hourly history reaches back 168 hours" },
        { UsageGranularity.Daily, 24 * 61, "daily history reaches back 60 days" },
        { UsageGranularity.Monthly, 24 * 400, "monthly history reaches back 1 year" },
        { UsageGranularity.Monthly, 24 * 1200, "before 2024-03-01" },
        { UsageGranularity.Daily, -1, "From must be before To" },
    };

    [Theory]
    [MemberData(nameof(BadWindows))]
    public async Task GetHistoryAsync_WindowOutsideNeonRules_FailsBeforeAnyCall(UsageGranularity granularity, int hoursBack, string rule)
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1);
        var request = new UsageHistoryRequest
        {
            Tenants = [rig.Tenants[0].Tenant],
            From = rig.Now.AddHours(-hoursBack),
            To = rig.Now.AddHours(hoursBack < 0 ? -2 : 0),
            Granularity = granularity,
        };

        var ex = await Assert.ThrowsAsync<UsageWindowException>(() => rig.Usage.GetHistoryAsync(request));

        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.Equal(granularity, ex.Granularity);
        Assert.Equal(0, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_DailyStartRoundedDownPastTheLimit_FailsLikeNeon()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1);
        var tenant = rig.Tenants[0].Tenant;

        // 60 days back to the minute is inside the limit, but Neon rounds it down to midnight, which is not.
        await Assert.ThrowsAsync<UsageWindowException>(() => rig.Usage.GetHistoryAsync(
            UsageHistoryRequest.ForTenant(tenant, rig.Now.AddDays(-60).AddMinutes(1), rig.Now)));
        var history = await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenant, rig.Now.AddDays(-59), rig.Now));

        Assert.Single(history.Tenants);
        Assert.Equal(1, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_NoOrgId_FailsBeforeAnyCall()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1, api: o => o.OrgId = null);

        var ex = await Assert.ThrowsAsync<UsageOrgIdRequiredException>(() => rig.Usage.GetHistoryAsync(rig.LastDay(rig.Tenants[0].Tenant)));

        Assert.Contains("NeonTenancy:Api:OrgId", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_UnknownTenant_FailsBeforeAnyCall()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1);
        var unknown = TenantId.Parse("nobody");

        var ex = await Assert.ThrowsAsync<TenantNotFoundException>(() => rig.Usage.GetHistoryAsync(new UsageHistoryRequest
        {
            Tenants = [rig.Tenants[0].Tenant, unknown],
            From = rig.Now.AddDays(-1),
            To = rig.Now,
        }));

        Assert.Equal(unknown, ex.TenantId);
        Assert.Equal(0, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_TenantWithoutProject_ReportedNotDropped()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1);
        var pending = TenantId.Parse("pending");
        await rig.AddTenantAsync(pending, projectId: null);

        var history = await rig.Usage.GetHistoryAsync(new UsageHistoryRequest { Tenants = [pending, rig.Tenants[0].Tenant], From = rig.Now.AddDays(-1), To = rig.Now });

        Assert.Equal([pending], history.TenantsWithoutProject);
        Assert.Equal(rig.Tenants[0].Tenant, Assert.Single(history.Tenants).TenantId);
    }

    [Fact]
    public async Task GetHistoryAsync_OnlyTenantsWithoutProject_NoCall()
    {
        await using var rig = await UsageRig.StartAsync();
        var pending = TenantId.Parse("pending");
        await rig.AddTenantAsync(pending, projectId: null);

        var history = await rig.Usage.GetHistoryAsync(rig.LastDay(pending));

        Assert.Empty(history.Tenants);
        Assert.Equal([pending], history.TenantsWithoutProject);
        Assert.Equal(0, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_EmptyTenantListOrMetrics_ThrowsArgumentException()
    {
        await using var rig = await UsageRig.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => rig.Usage.GetHistoryAsync(new UsageHistoryRequest { Tenants = [], From = rig.Now.AddDays(-1), To = rig.Now }));
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Usage.GetHistoryAsync(new UsageHistoryRequest { From = rig.Now.AddDays(-1), To = rig.Now, Metrics = [] }));
        Assert.Equal(0, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_ReadsBeyondTheConsumptionBudget_AreHeldBackByTheClient()
    {
        // A budget of 3 consumption calls per minute and no queue: the 4th read is refused by the client's limiter,
        // not sent (the account budget of 700 per minute alone would let it through).
        await using var rig = await UsageRig.StartAsync(
            tenants: 1,
            api: o =>
            {
                o.RateLimit.ConsumptionRequestsPerMinute = 3;
                o.RateLimit.QueueLimit = 0;
            },
            usage: o => o.HistoryCacheDuration = TimeSpan.Zero);
        var request = rig.LastDay(rig.Tenants[0].Tenant);

        for (var i = 0; i < 3; i++)
        {
            await rig.Usage.GetHistoryAsync(request);
        }

        await Assert.ThrowsAsync<NeonRateLimitedException>(() => rig.Usage.GetHistoryAsync(request));
        await rig.Usage.GetCurrentUsageAsync(rig.Tenants[0].Tenant);
        Assert.Equal(3, rig.ConsumptionCalls);
    }
}
