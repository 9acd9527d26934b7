using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Usage;

public sealed class UsageHistoryTests
{
    [Fact]
    public async Task GetHistoryAsync_ThousandTenants_OneCallPerHundredThenCachedUntilExpiry()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(1000);
        await rig.AddTenantAsync(TenantId.Parse("pending"), projectId: null);
        var now = rig.Time.GetUtcNow();
        await rig.Fake.AddConsumptionAsync(tenants[0].ProjectId, now.AddDays(-2), "compute_unit_seconds", 3600);
        await rig.Fake.AddConsumptionAsync(tenants[999].ProjectId, now.AddDays(-1), "public_network_transfer_bytes", 5_000_000_000);
        await rig.Fake.AddConsumptionAsync(tenants[999].ProjectId, now.AddDays(-3), "public_network_transfer_bytes", 1);
        var request = UsageHistoryRequest.ForAllTenants(now.AddDays(-7), now);

        var first = await rig.Usage.GetHistoryAsync(request);
        var callsAfterFirst = rig.Calls(UsageRig.ConsumptionRoute);
        rig.Time.Advance(TimeSpan.FromMinutes(14));
        var second = await rig.Usage.GetHistoryAsync(request);
        var callsAfterSecond = rig.Calls(UsageRig.ConsumptionRoute);
        rig.Time.Advance(TimeSpan.FromMinutes(2));
        await rig.Usage.GetHistoryAsync(request);

        Assert.Equal(10, callsAfterFirst);
        Assert.Equal(10, callsAfterSecond);
        Assert.Same(first, second);
        Assert.Equal(20, rig.Calls(UsageRig.ConsumptionRoute));
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
    public async Task GetHistoryAsync_DifferentRequests_AreCachedSeparately()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(3);
        var now = rig.Time.GetUtcNow();

        await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now));
        await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now));
        await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[1].Tenant, now.AddDays(-1), now));
        await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now, UsageGranularity.Hourly));
        await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now) with { Metrics = [UsageMetric.ComputeUnitSeconds] });

        Assert.Equal(4, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_CacheDurationZero_EveryReadCalls()
    {
        await using var rig = UsageRig.Create(usage: o => o.HistoryCacheDuration = TimeSpan.Zero);
        var tenants = await rig.AddTenantsAsync(1);
        var request = UsageHistoryRequest.ForTenant(tenants[0].Tenant, rig.Time.GetUtcNow().AddDays(-1), rig.Time.GetUtcNow());

        await rig.Usage.GetHistoryAsync(request);
        await rig.Usage.GetHistoryAsync(request);

        Assert.Equal(2, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_HourlyWindow_MapsEachHourToTheTenant()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(2);
        var now = rig.Time.GetUtcNow();
        await rig.Fake.AddConsumptionAsync(tenants[1].ProjectId, now.AddHours(-2), "root_branch_bytes_month", 7_000);

        var history = await rig.Usage.GetHistoryAsync(new UsageHistoryRequest
        {
            Tenants = [tenants[1].Tenant],
            From = now.AddHours(-3),
            To = now,
            Granularity = UsageGranularity.Hourly,
            Metrics = [UsageMetric.RootBranchBytesMonth],
        });

        var tenant = Assert.Single(history.Tenants);
        Assert.Equal(tenants[1].Tenant, tenant.TenantId);
        Assert.Equal(4, tenant.Timeframes.Count);
        Assert.Equal([0L, 7_000L, 0L, 0L], tenant.Timeframes.Select(f => f.Values.RootBranchByteHours!.Value));
        Assert.Null(tenant.Total.ComputeTime);
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
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();
        var request = new UsageHistoryRequest { Tenants = [tenants[0].Tenant], From = now.AddHours(-hoursBack), To = now.AddHours(hoursBack < 0 ? -2 : 0), Granularity = granularity };

        var ex = await Assert.ThrowsAsync<UsageWindowException>(() => rig.Usage.GetHistoryAsync(request));

        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.Equal(granularity, ex.Granularity);
        Assert.Equal(0, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_DailyStartRoundedDownPastTheLimit_FailsLikeNeon()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();

        // 60 days back to the minute is inside the limit, but Neon rounds it down to midnight, which is not.
        await Assert.ThrowsAsync<UsageWindowException>(() => rig.Usage.GetHistoryAsync(
            UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-60).AddMinutes(1), now)));
        var history = await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-59), now));

        Assert.Single(history.Tenants);
        Assert.Equal(1, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_NoOrgId_FailsBeforeAnyCall()
    {
        await using var rig = UsageRig.Create(api: o => o.OrgId = null);
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();

        var ex = await Assert.ThrowsAsync<UsageOrgIdRequiredException>(() => rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now)));

        Assert.Contains("NeonTenancy:Api:OrgId", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_UnknownTenant_FailsBeforeAnyCall()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();
        var unknown = TenantId.Parse("nobody");

        var ex = await Assert.ThrowsAsync<TenantNotFoundException>(() => rig.Usage.GetHistoryAsync(new UsageHistoryRequest
        {
            Tenants = [tenants[0].Tenant, unknown],
            From = now.AddDays(-1),
            To = now,
        }));

        Assert.Equal(unknown, ex.TenantId);
        Assert.Equal(0, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_TenantWithoutProject_ReportedNotDropped()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(1);
        var pending = TenantId.Parse("pending");
        await rig.AddTenantAsync(pending, projectId: null);
        var now = rig.Time.GetUtcNow();

        var history = await rig.Usage.GetHistoryAsync(new UsageHistoryRequest { Tenants = [pending, tenants[0].Tenant], From = now.AddDays(-1), To = now });

        Assert.Equal([pending], history.TenantsWithoutProject);
        Assert.Equal(tenants[0].Tenant, Assert.Single(history.Tenants).TenantId);
    }

    [Fact]
    public async Task GetHistoryAsync_OnlyTenantsWithoutProject_NoCall()
    {
        await using var rig = UsageRig.Create();
        var pending = TenantId.Parse("pending");
        await rig.AddTenantAsync(pending, projectId: null);
        var now = rig.Time.GetUtcNow();

        var history = await rig.Usage.GetHistoryAsync(UsageHistoryRequest.ForTenant(pending, now.AddDays(-1), now));

        Assert.Empty(history.Tenants);
        Assert.Equal([pending], history.TenantsWithoutProject);
        Assert.Equal(0, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_EmptyTenantListOrMetrics_ThrowsArgumentException()
    {
        await using var rig = UsageRig.Create();
        var now = rig.Time.GetUtcNow();

        await Assert.ThrowsAsync<ArgumentException>(() => rig.Usage.GetHistoryAsync(new UsageHistoryRequest { Tenants = [], From = now.AddDays(-1), To = now }));
        await Assert.ThrowsAsync<ArgumentException>(() => rig.Usage.GetHistoryAsync(new UsageHistoryRequest { From = now.AddDays(-1), To = now, Metrics = [] }));
        Assert.Equal(0, rig.Calls(UsageRig.ConsumptionRoute));
    }

    [Fact]
    public async Task GetHistoryAsync_ReadsBeyondTheConsumptionBudget_AreHeldBackByTheClient()
    {
        // A budget of 3 consumption calls per minute and no queue: the 4th read is refused by the client's limiter,
        // not sent (the account budget of 700 per minute alone would let it through).
        await using var rig = UsageRig.Create(
            api: o =>
            {
                o.RateLimit.ConsumptionRequestsPerMinute = 3;
                o.RateLimit.QueueLimit = 0;
            },
            usage: o => o.HistoryCacheDuration = TimeSpan.Zero);
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();
        var request = UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now);

        for (var i = 0; i < 3; i++)
        {
            await rig.Usage.GetHistoryAsync(request);
        }

        await Assert.ThrowsAsync<NeonRateLimitedException>(() => rig.Usage.GetHistoryAsync(request));
        await rig.Usage.GetCurrentUsageAsync(tenants[0].Tenant);
        Assert.Equal(3, rig.Calls(UsageRig.ConsumptionRoute));
    }

    // A 429 with Retry-After holds the first read inside the API client until the fake clock moves, so a second read
    // arrives while the first is under way.
    private static async Task<Task<UsageHistory>> StartHeldReadAsync(UsageRig rig, UsageHistoryRequest request, CancellationToken cancellationToken = default)
    {
        rig.Fake.Faults.Inject(UsageRig.ConsumptionRoute, NeonFault.TooManyRequests(TimeSpan.FromSeconds(10)));
        var read = rig.Usage.GetHistoryAsync(request, cancellationToken);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (rig.Calls(UsageRig.ConsumptionRoute) == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, rig.Calls(UsageRig.ConsumptionRoute));
        Assert.False(read.IsCompleted);
        return read;
    }

    [Fact]
    public async Task GetHistoryAsync_IdenticalReadsAtOnce_ShareOneSetOfCalls()
    {
        await using var rig = UsageRig.Create(usage: o => o.HistoryCacheDuration = TimeSpan.Zero);
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();
        await rig.Fake.AddConsumptionAsync(tenants[0].ProjectId, now.AddHours(-5), "compute_unit_seconds", 7200);
        var request = UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now);
        var first = await StartHeldReadAsync(rig, request);

        var second = rig.Usage.GetHistoryAsync(request);
        await Task.Delay(50);
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        var answers = await Task.WhenAll(first, second);

        // The refused call and its retry, once for both readers (even with the cache off: they asked at the same time).
        Assert.Equal(2, rig.Calls(UsageRig.ConsumptionRoute));
        Assert.Same(answers[0], answers[1]);
        Assert.Equal(TimeSpan.FromHours(2), Assert.Single(answers[1].Tenants).Total.ComputeTime);
    }

    [Fact]
    public async Task GetHistoryAsync_ReaderThatStartedTheCallsGivesUp_OthersReadAgain()
    {
        await using var rig = UsageRig.Create();
        var tenants = await rig.AddTenantsAsync(1);
        var now = rig.Time.GetUtcNow();
        var request = UsageHistoryRequest.ForTenant(tenants[0].Tenant, now.AddDays(-1), now);
        using var cancel = new CancellationTokenSource();
        var first = await StartHeldReadAsync(rig, request, cancel.Token);
        var second = rig.Usage.GetHistoryAsync(request);
        await Task.Delay(50);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        // The held read's 429 paused the shared consumption budget for its Retry-After (every caller slows down), so
        // the reader that takes over sends once that has passed.
        rig.Time.Advance(TimeSpan.FromSeconds(10));
        var answer = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(tenants[0].Tenant, Assert.Single(answer.Tenants).TenantId);
        Assert.Equal(2, rig.Calls(UsageRig.ConsumptionRoute));
    }
}
