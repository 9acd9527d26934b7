using System.Net;
using System.Text.Json;

namespace Neon.Tenancy.Testing.Tests;

public class ConsumptionTests
{
    private static string Q(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

    [Fact]
    public async Task Consumption_FollowsTheSpecsParameterRules()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time, o => o.OperationDuration = TimeSpan.Zero);
        var a = await host.CreateProjectAsync("a");
        var b = await host.CreateProjectAsync("b");
        var now = time.GetUtcNow();
        await host.Server.AddConsumptionAsync(a.Project.Id, now.AddHours(-5), "compute_unit_seconds", 10);
        await host.Server.AddConsumptionAsync(b.Project.Id, now.AddHours(-5), "extra_branches_month", 24);
        var window = $"from={Q(now.AddDays(-1))}&to={Q(now)}&granularity=daily&org_id={host.Server.OrgId}";

        var (commaLists, body, _) = await host.RawAsync(HttpMethod.Get,
            $"consumption_history/v2/projects?{window}&metrics=compute_unit_seconds,extra_branches_month&project_ids={a.Project.Id},{b.Project.Id}&limit=100");
        var (unknownMetric, _, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?{window}&metrics=compute_time_seconds");
        var tooMany = string.Join(',', Enumerable.Range(0, 101).Select(i => $"p-{i}"));
        var (tooManyIds, _, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?{window}&metrics=compute_unit_seconds&project_ids={tooMany}");

        // 60 days back to the minute rounds down to midnight, past the daily limit.
        var (roundedPast, _, _) = await host.RawAsync(HttpMethod.Get,
            $"consumption_history/v2/projects?from={Q(now.AddDays(-60).AddMinutes(1))}&to={Q(now)}&granularity=daily&org_id={host.Server.OrgId}&metrics=compute_unit_seconds");

        Assert.Equal(HttpStatusCode.OK, commaLists);
        var projects = body.GetProperty("projects").EnumerateArray().ToList();
        Assert.Equal(2, projects.Count);
        Assert.Equal(
            [10L, 24L],
            projects.OrderBy(p => p.GetProperty("project_id").GetString() == a.Project.Id ? 0 : 1)
                .Select(p => p.GetProperty("periods")[0].GetProperty("consumption").EnumerateArray()
                    .SelectMany(f => f.GetProperty("metrics").EnumerateArray()).Sum(m => m.GetProperty("value").GetInt64())));
        Assert.Equal(HttpStatusCode.BadRequest, unknownMetric);
        Assert.Equal(HttpStatusCode.BadRequest, tooManyIds);
        Assert.Equal((HttpStatusCode)406, roundedPast);
    }

    [Fact]
    public async Task Consumption_PagesNewestProjectFirstWithCursor()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time, o => o.OperationDuration = TimeSpan.Zero);
        var ids = new List<string>();
        foreach (var name in new[] { "first", "second", "third" })
        {
            ids.Add((await host.CreateProjectAsync(name)).Project.Id);
        }

        var now = time.GetUtcNow();
        var window = $"from={Q(now.AddHours(-2))}&to={Q(now)}&granularity=hourly&org_id={host.Server.OrgId}&metrics=compute_unit_seconds&limit=2";

        var (_, page1, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?{window}");
        var cursor = page1.GetProperty("pagination").GetProperty("cursor").GetString();
        var (_, page2, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?{window}&cursor={cursor}");
        var (badCursor, _, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?{window}&cursor=nope");

        Assert.Equal([ids[2], ids[1]], ProjectIds(page1));
        Assert.Equal([ids[0]], ProjectIds(page2));
        Assert.Equal(HttpStatusCode.BadRequest, badCursor);

        static List<string?> ProjectIds(JsonElement page) => [.. page.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("project_id").GetString())];
    }
}
