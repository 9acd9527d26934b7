using Neon.Tenancy.Api;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>Cursor pages against a scripted Neon (WireMock): a batch answered over two pages, and a cursor Neon repeats.</summary>
public sealed class UsageHistoryPagingTests
{
    private const string Path = "/consumption_history/v2/projects";

    [Fact]
    public async Task GetHistoryAsync_BatchSplitOverPages_FollowsTheCursorUntilEveryProjectIsIn()
    {
        await using var neon = await ScriptedNeon.StartAsync(first: Page("p-1", 7200, next: "c1"), afterC1: Page("p-2", 5_000_000_000, next: "c2"));
        var (server, rig) = (neon.Server, neon.Rig);

        var history = await rig.Usage.GetHistoryAsync(
            UsageHistoryRequest.ForAllTenants(rig.Now.AddDays(-2), rig.Now) with { Metrics = [UsageMetric.ComputeUnitSeconds] });

        // Page 2 still carries a cursor; it is not followed, since every project of the batch is in.
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

    [Fact]
    public async Task GetHistoryAsync_NeonRepeatsACursor_FailsInsteadOfLoopingAndCachesNothing()
    {
        await using var neon = await ScriptedNeon.StartAsync(first: Page("p-1", 7200, next: "c1"), afterC1: Page("p-other", 1, next: "c1"));
        var (server, rig) = (neon.Server, neon.Rig);
        var request = UsageHistoryRequest.ForAllTenants(rig.Now.AddDays(-2), rig.Now);

        var ex = await Assert.ThrowsAnyAsync<NeonApiException>(() => rig.Usage.GetHistoryAsync(request));

        Assert.Contains("'c1'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.LogEntries.Count());
        await Assert.ThrowsAnyAsync<NeonApiException>(() => rig.Usage.GetHistoryAsync(request));
        Assert.Equal(4, server.LogEntries.Count());
    }

    /// <summary>One project's day of compute (and a metric Neon may add later, which is ignored), then the next cursor.</summary>
    private static string Page(string projectId, long computeUnitSeconds, string next) => $$$"""
        {"projects":[{"project_id":"{{{projectId}}}","periods":[{"period_id":"x","period_plan":"launch","period_start":"2026-11-01T00:00:00Z",
          "consumption":[{"timeframe_start":"2026-11-19T00:00:00Z","timeframe_end":"2026-11-20T00:00:00Z",
            "metrics":[{"metric_name":"compute_unit_seconds","value":{{{computeUnitSeconds}}}},{"metric_name":"not_a_metric_yet","value":5}]}]}]}],
         "pagination":{"cursor":"{{{next}}}"}}
        """;

    /// <summary>
    /// Neon scripted by WireMock (the first page, and the page for cursor <c>c1</c>) and the usage rig pointed at it, with
    /// tenants a (project p-1) and b (project p-2).
    /// </summary>
    private sealed class ScriptedNeon : IAsyncDisposable
    {
        private ScriptedNeon(WireMockServer server, UsageRig rig) => (Server, Rig) = (server, rig);

        public WireMockServer Server { get; }

        public UsageRig Rig { get; }

        public static async Task<ScriptedNeon> StartAsync(string first, string afterC1)
        {
            var server = WireMockServer.Start();
            server.Given(Request.Create().WithPath(Path).WithParam("cursor", "c1").UsingGet()).AtPriority(1)
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(afterC1));
            server.Given(Request.Create().WithPath(Path).UsingGet()).AtPriority(10)
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(first));
            var rig = UsageRig.Create(api: o =>
            {
                o.BaseAddress = new Uri(server.Url!);
                o.OrgId = "org-1";
            });
            await rig.AddTenantAsync(TenantId.Parse("a"), "p-1");
            await rig.AddTenantAsync(TenantId.Parse("b"), "p-2");
            return new ScriptedNeon(server, rig);
        }

        public async ValueTask DisposeAsync()
        {
            await Rig.DisposeAsync();
            Server.Dispose();
        }
    }
}
