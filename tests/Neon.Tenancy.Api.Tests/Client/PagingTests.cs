namespace Neon.Tenancy.Api.Tests.Client;

public class PagingTests
{
    private static string Projects(string cursor, params string[] ids) =>
        $$$"""{"projects":[{{{string.Join(",", ids.Select(id => $$"""{"id":"{{id}}","name":"{{id}}"}"""))}}}],"pagination":{"cursor":"{{{cursor}}}"}}""";

    private static void Page(NeonApiTestHost host, string path, string? cursor, string body) =>
        host.Server.Given(cursor is null
                ? Request.Create().WithPath(path).UsingGet()
                : Request.Create().WithPath(path).WithParam("cursor", cursor).UsingGet())
            .AtPriority(cursor is null ? 10 : 1)
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(body));

    [Fact]
    public async Task ListAllProjectsAsync_CursorShape_FollowsEveryPage()
    {
        using var host = NeonApiTestHost.Create();
        Page(host, "/projects", null, Projects("c1", "p-1", "p-2"));
        Page(host, "/projects", "c1", Projects("c2", "p-3"));
        Page(host, "/projects", "c2", Projects("c2"));

        var ids = await host.ApiClient.Projects.ListAllProjectsAsync(orgId: "org-1", pageSize: 2).Select(p => p.Id).ToListAsync();

        Assert.Equal(["p-1", "p-2", "p-3"], ids);
        Assert.Equal(3, host.Server.LogEntries.Count());
        Assert.All(host.Server.LogEntries, e => Assert.Contains("limit=2", e.RequestMessage!.Url, StringComparison.Ordinal));
        Assert.All(host.Server.LogEntries, e => Assert.Contains("org_id=org-1", e.RequestMessage!.Url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListAllProjectBranchesAsync_NextShape_FollowsEveryPage()
    {
        using var host = NeonApiTestHost.Create();
        static string Branches(string? next, params string[] ids) =>
            $$$"""{"branches":[{{{string.Join(",", ids.Select(id => $$"""{"id":"{{id}}","project_id":"p-1","name":"{{id}}"}"""))}}}],"annotations":{},"pagination":{{{(next is null ? "{}" : $$"""{"next":"{{next}}","sort_by":"updated_at","sort_order":"desc"}""")}}}}""";
        Page(host, "/projects/p-1/branches", null, Branches("n1", "br-1"));
        Page(host, "/projects/p-1/branches", "n1", Branches("n2", "br-2"));
        Page(host, "/projects/p-1/branches", "n2", Branches(null, "br-3"));

        var ids = await host.ApiClient.Branches.ListAllProjectBranchesAsync("p-1").Select(b => b.Id).ToListAsync();

        Assert.Equal(["br-1", "br-2", "br-3"], ids);
        Assert.Equal(3, host.Server.LogEntries.Count());
    }

    [Fact]
    public async Task ListAllProjectsAsync_RepeatedCursor_StopsWithNeonApiException()
    {
        using var host = NeonApiTestHost.Create();
        Page(host, "/projects", null, Projects("c1", "p-1"));
        Page(host, "/projects", "c1", Projects("c1", "p-2"));

        var seen = new List<string>();
        var ex = await Assert.ThrowsAsync<NeonApiException>(async () =>
        {
            await foreach (var project in host.ApiClient.Projects.ListAllProjectsAsync())
            {
                seen.Add(project.Id);
            }
        });

        Assert.Equal(["p-1", "p-2"], seen);
        Assert.Contains("c1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, host.Server.LogEntries.Count());
    }

    [Fact]
    public async Task ListAllProjectsAsync_StopsEarly_WhenTheCallerStops()
    {
        using var host = NeonApiTestHost.Create();
        Page(host, "/projects", null, Projects("c1", "p-1", "p-2"));
        Page(host, "/projects", "c1", Projects("c2", "p-3"));

        var first = await host.ApiClient.Projects.ListAllProjectsAsync().FirstAsync();

        Assert.Equal("p-1", first.Id);
        Assert.Single(host.Server.LogEntries);
    }
}
