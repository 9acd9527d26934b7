using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>Cursor pages against a scripted Neon (WireMock): a batch answered over two pages.</summary>
public sealed class UsageHistoryPagingTests
{
    private const string Page1 = """
        {"projects":[{"project_id":"p-1","periods":[{"period_id":"x","period_plan":"launch","period_start":"2026-11-01T00:00:00Z",
          "consumption":[{"timeframe_start":"2026-11-19T00:00:00Z","timeframe_end":"2026-11-20T00:00:00Z",
            "metrics":[{"metric_name":"compute_unit_seconds","value":7200},{"metric_name":"not_a_metric_yet","value":5}]}]}]}],
         "pagination":{"cursor":"c1"}}
        """;

    private const string Page2 = """
        {"projects":[{"project_id":"p-2","periods":[{"period_id":"x","period_plan":"launch","period_start":"2026-11-01T00:00:00Z",
          "consumption":[{"timeframe_start":"2026-11-19T00:00:00Z","timeframe_end":"2026-11-20T00:00:00Z",
            "metrics":[{"metric_name":"compute_unit_seconds","value":5000000000}]}]}]}],
         "pagination":{"cursor":"c2"}}
        """;

    [Fact]
    public async Task GetHistoryAsync_BatchSplitOverPages_FollowsTheCursorUntilEveryProjectIsIn()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/consumption_history/v2/projects").WithParam("cursor", "c1").UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Page2));
        server.Given(Request.Create().WithPath("/consumption_history/v2/projects").UsingGet()).AtPriority(10)
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Page1));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(Substitute.For<IPlanLimits>());
        services.AddNeonTenancy(o => o.Secrets = SecretsTestData.Options("k1", ("k1", SecretsTestData.NewKey())))
            .ConfigureApi(o =>
            {
                o.BaseAddress = new Uri(server.Url!);
                o.ApiKey = "napi_test";
                o.OrgId = "org-1";
            })
            .UseInMemoryCatalog();
        await using var provider = services.BuildServiceProvider();
        var catalog = provider.GetRequiredService<ITenantCatalog>();
        foreach (var (tenant, project) in new[] { ("a", "p-1"), ("b", "p-2") })
        {
            var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = TenantId.Parse(tenant), Plan = "pro" })).Record;
            await catalog.UpdateAsync(record with { ProjectId = project, State = TenantState.Ready });
        }

        var history = await provider.GetRequiredService<IUsageClient>().GetHistoryAsync(
            UsageHistoryRequest.ForAllTenants(time.GetUtcNow().AddDays(-2), time.GetUtcNow()) with { Metrics = [UsageMetric.ComputeUnitSeconds] });

        var requests = server.LogEntries.Select(e => e.RequestMessage!).ToList();
        Assert.Equal(2, requests.Count);
        Assert.False(requests[0].Query!.ContainsKey("cursor"));
        Assert.Equal(["c1"], requests[1].Query!["cursor"]);
        Assert.All(requests, r => Assert.Equal(["p-1", "p-2"], r.Query!["project_ids"]));
        Assert.All(requests, r => Assert.Equal(["org-1"], r.Query!["org_id"]));
        Assert.Equal(["a", "b"], history.Tenants.Select(t => t.TenantId.Value));
        Assert.Equal(TimeSpan.FromHours(2), history.Tenants[0].Total.ComputeTime);
        Assert.Equal(TimeSpan.FromSeconds(5_000_000_000), history.Tenants[1].Total.ComputeTime);
    }
}
