using System.Net;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Tests;

public class ProjectsAndOperationsTests
{
    [Fact]
    public async Task CreateProject_ReturnsEverythingNeededToConnect()
    {
        await using var host = FakeHost.StartWithFakeTime(out _);

        var created = await host.CreateProjectAsync("acme", p =>
        {
            p.RegionId = "aws-eu-central-1";
            p.Branch = new ProjectCreateRequestProjectBranch { RoleName = "app", DatabaseName = "appdb" };
            p.Settings = new ProjectSettingsData { Quota = new ProjectQuota { ComputeTimeSeconds = 3600 } };
        });

        Assert.Matches("^[a-z]+-[a-z]+-[0-9]{8}$", created.Project.Id);
        Assert.Equal("acme", created.Project.Name);
        Assert.Equal("aws-eu-central-1", created.Project.RegionId);
        Assert.Equal(3600, created.Project.Settings!.Quota!.ComputeTimeSeconds);
        Assert.True(created.Branch.Default);
        Assert.Equal(EndpointType.ReadWrite, Assert.Single(created.Endpoints).Type);
        Assert.Equal("appdb", Assert.Single(created.Databases).Name);
        var role = Assert.Single(created.Roles);
        Assert.Equal("app", role.Name);
        Assert.StartsWith("npg_", role.Password);
        Assert.Equal([OperationAction.CreateTimeline, OperationAction.StartCompute], created.Operations.Select(o => o.Action));
        Assert.All(created.Operations, o => Assert.Equal(OperationStatus.Scheduling, o.Status));
        var connection = Assert.Single(created.ConnectionUris);
        Assert.Equal(role.Password, connection.ConnectionParameters.Password);
        Assert.Contains("-pooler.", connection.ConnectionParameters.PoolerHost);
        Assert.StartsWith("postgresql://app:npg_", connection.ConnectionUri);
        Assert.Equal(1, host.Server.CallsPerRoute["POST projects"]);
    }

    [Fact]
    public async Task Operations_AdvanceFakeTime_GoSchedulingRunningFinished()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync();
        var op = created.Operations[0];

        Assert.Equal(OperationStatus.Scheduling, (await host.Client.Operations.GetProjectOperationAsync(op.ProjectId, op.Id)).Operation.Status);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(OperationStatus.Running, (await host.Client.Operations.GetProjectOperationAsync(op.ProjectId, op.Id)).Operation.Status);
        time.Advance(TimeSpan.FromSeconds(5));
        var finished = (await host.Client.Operations.GetProjectOperationAsync(op.ProjectId, op.Id)).Operation;
        Assert.Equal(OperationStatus.Finished, finished.Status);
        Assert.Equal(10_000, finished.TotalDurationMs);

        var listed = await host.Client.Operations.ListAllProjectOperationsAsync(op.ProjectId, pageSize: 1).ToListAsync();
        Assert.Equal(created.Operations.Select(o => o.Id).Reverse(), listed.Select(o => o.Id));
    }

    [Fact]
    public async Task Mutation_WhileOperationsRun_Answers423WithNeonErrorBody_ThenSucceedsWhenTheyFinish()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync();
        const string patch = """{"project":{"name":"renamed"}}""";

        var (status, body, _) = await host.RawAsync(HttpMethod.Patch, $"projects/{created.Project.Id}", patch, requestId: "req-423");

        Assert.Equal((HttpStatusCode)423, status);
        Assert.Contains("running operations", body.GetProperty("message").GetString());
        Assert.Equal("req-423", body.GetProperty("request_id").GetString());
        Assert.True(body.TryGetProperty("code", out _));
        await Assert.ThrowsAnyAsync<NeonApiException>(() => host.Client.Projects.UpdateProjectAsync(created.Project.Id,
            new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject { Name = "renamed" } }));

        time.Advance(TimeSpan.FromSeconds(10));
        var updated = await host.Client.Projects.UpdateProjectAsync(created.Project.Id, new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject { Name = "renamed" } });
        Assert.Equal("renamed", updated.Project.Name);
        Assert.Equal(OperationAction.ApplyConfig, Assert.Single(updated.Operations).Action);
    }

    [Fact]
    public async Task ConcurrentMutations_OnOneProject_OneWinsTheRestGet423()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        var path = $"projects/{created.Project.Id}/branches/{created.Branch.Id}/databases";

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            host.RawAsync(HttpMethod.Post, path, $$$"""{"database":{"name":"db{{{i}}}","owner_name":"neondb_owner"}}""")));

        Assert.Equal(1, results.Count(r => r.Status == HttpStatusCode.Created));
        Assert.Equal(9, results.Count(r => r.Status == (HttpStatusCode)423));
        var otherProject = await host.CreateProjectAsync("other");
        Assert.NotEqual(created.Project.Id, otherProject.Project.Id);
    }

    [Fact]
    public async Task WaitForOperationsAsync_OnTheSystemClock_ReturnsFinishedOperations()
    {
        await using var host = FakeHost.Start();
        var created = await host.CreateProjectAsync();

        var done = await host.Client.WaitForOperationsAsync(created.Operations, TimeSpan.FromSeconds(10));

        Assert.All(done, o => Assert.Equal(OperationStatus.Finished, o.Status));
    }

    [Fact]
    public async Task GetProject_ReportsUsageCountersAndQuota()
    {
        await using var host = FakeHost.StartWithFakeTime(out _);
        var created = await host.CreateProjectAsync(configure: p => p.Settings = new ProjectSettingsData { Quota = new ProjectQuota { ActiveTimeSeconds = 1000 } });

        await host.Server.SetUsageAsync(created.Project.Id, new NeonFakeUsage { ActiveTimeSeconds = 10, ComputeTimeSeconds = 20, WrittenDataBytes = 30, DataTransferBytes = 40 });
        var project = (await host.Client.Projects.GetProjectAsync(created.Project.Id)).Project;

        Assert.Equal(10, project.ActiveTimeSeconds);
        Assert.Equal(20, project.ComputeTimeSeconds);
        Assert.Equal(30, project.WrittenDataBytes);
        Assert.Equal(40, project.DataTransferBytes);
        Assert.Equal(1000, project.Settings!.Quota!.ActiveTimeSeconds);
        Assert.True(project.ConsumptionPeriodEnd > project.ConsumptionPeriodStart);
    }

    [Fact]
    public async Task GetBranch_ReportsSimulatedLogicalSize_OtherCountersUnchanged()
    {
        await using var host = FakeHost.StartWithFakeTime(out _);
        var created = await host.CreateProjectAsync();
        await host.Server.SetUsageAsync(created.Project.Id, new NeonFakeUsage { ActiveTimeSeconds = 10 });

        await host.Server.SetUsageAsync(created.Project.Id, new NeonFakeUsage { LogicalSizeBytes = 123_456_789 });
        var branch = (await host.Client.Branches.GetProjectBranchAsync(created.Project.Id, created.Branch.Id)).Branch;
        var project = (await host.Client.Projects.GetProjectAsync(created.Project.Id)).Project;

        Assert.Equal(123_456_789, branch.LogicalSize);
        Assert.Equal(10, project.ActiveTimeSeconds);
    }

    [Fact]
    public async Task ListProjects_SearchesAndPagesWithCursor()
    {
        await using var host = FakeHost.Start(o => o.OperationDuration = TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            await host.CreateProjectAsync($"tenant-{i}");
        }

        await host.CreateProjectAsync("other");

        var all = await host.Client.Projects.ListAllProjectsAsync(search: "tenant-", pageSize: 2).ToListAsync();
        var first = await host.Client.Projects.ListProjectsAsync(limit: 2);
        var (badLimit, _, _) = await host.RawAsync(HttpMethod.Get, "projects?limit=401");

        Assert.Equal(["tenant-0", "tenant-1", "tenant-2", "tenant-3", "tenant-4"], all.Select(p => p.Name));
        Assert.Equal(2, first.Projects.Count);
        Assert.Equal(first.Projects[1].Id, first.Pagination!.Cursor);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit);
        var searches = host.Server.RequestLog.Where(r => r.Route == "GET projects" && r.Path.Contains("search=tenant-", StringComparison.Ordinal)).ToList();
        Assert.True(searches.Count == 4, string.Join(" | ", host.Server.RequestLog.Select(r => r.Path + " " + r.StatusCode)));
        Assert.Equal(HttpStatusCode.BadRequest, (HttpStatusCode)host.Server.RequestLog[^1].StatusCode);
    }

    [Fact]
    public async Task DeleteProject_WhileOperationsRun_Answers423_UntilTheyEnd()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync("busy");
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Server.StartOperationAsync(created.Project.Id, TimeSpan.FromSeconds(30));

        var (locked, body, _) = await host.RawAsync(HttpMethod.Delete, $"projects/{created.Project.Id}");
        time.Advance(TimeSpan.FromSeconds(30));
        var (deleted, _, _) = await host.RawAsync(HttpMethod.Delete, $"projects/{created.Project.Id}");

        Assert.Equal((HttpStatusCode)423, locked);
        Assert.Contains("running operations", body.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, deleted);
    }

    [Fact]
    public async Task StartOperationAsync_WithFailure_EndsFailedWithTheError()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync("failing");
        var id = await host.Server.StartOperationAsync(created.Project.Id, TimeSpan.FromSeconds(2), failWith: "disk full");

        var running = await host.Client.Operations.GetProjectOperationAsync(created.Project.Id, id);
        time.Advance(TimeSpan.FromSeconds(2));
        var ended = await host.Client.Operations.GetProjectOperationAsync(created.Project.Id, id);

        Assert.Equal(OperationStatus.Scheduling, running.Operation.Status);
        Assert.Equal(OperationStatus.Failed, ended.Operation.Status);
        Assert.Equal("disk full", ended.Operation.Error);
    }

    [Fact]
    public async Task DeleteProject_IsRecoverableInsideTheWindowOnly()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var kept = await host.CreateProjectAsync("kept");
        var lost = await host.CreateProjectAsync("lost");
        time.Advance(TimeSpan.FromSeconds(10)); // the creations' operations end; Neon refuses to delete a project while they run

        await host.Client.Projects.DeleteProjectAsync(kept.Project.Id);
        var (afterDelete, _, _) = await host.RawAsync(HttpMethod.Get, $"projects/{kept.Project.Id}");
        var recoverable = await host.Client.Projects.ListProjectsAsync(recoverable: true);
        var recovered = await host.Client.Projects.RecoverProjectAsync(kept.Project.Id);

        Assert.Equal(HttpStatusCode.NotFound, afterDelete);
        var item = Assert.Single(recoverable.Projects);
        Assert.Equal(kept.Project.Id, item.Id);
        Assert.Equal(item.DeletedAt!.Value + TimeSpan.FromDays(7), item.RecoverableUntil);
        Assert.Equal(kept.Project.Id, recovered.Project.Id);
        Assert.Single(recovered.Branches);
        Assert.Equal(kept.Project.Id, (await host.Client.Projects.GetProjectAsync(kept.Project.Id)).Project.Id);

        await host.Client.Projects.DeleteProjectAsync(lost.Project.Id);
        time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var (late, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{lost.Project.Id}/recover");
        Assert.Equal(HttpStatusCode.NotFound, late);
        Assert.Empty((await host.Client.Projects.ListProjectsAsync(recoverable: true)).Projects);
    }

    [Fact]
    public async Task Requests_WithoutTheApiKey_Answer401()
    {
        await using var host = FakeHost.Start();
        using var anonymous = new HttpClient { BaseAddress = host.Server.ApiBaseAddress };

        var response = await anonymous.GetAsync(new Uri("projects", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("request_id", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requests_MissingWhatTheSpecRequires_Answer400Or404()
    {
        await using var host = FakeHost.Start();
        var created = await host.CreateProjectAsync();

        var (noBody, noBodyError, _) = await host.RawAsync(HttpMethod.Post, "projects", "{}");
        var (unknown, unknownError, _) = await host.RawAsync(HttpMethod.Get, "projects/no-such-project-00000000");
        var (noRole, _, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}/connection_uri?database_name=neondb");
        var (badRegion, _, _) = await host.RawAsync(HttpMethod.Post, "projects", """{"project":{"region_id":"mars-1"}}""");
        var (badSuspend, _, _) = await host.RawAsync(HttpMethod.Post, "projects", """{"project":{"default_endpoint_settings":{"suspend_timeout_seconds":5}}}""");
        var (unknownRoute, _, _) = await host.RawAsync(HttpMethod.Get, "no/such/route");

        Assert.Equal(HttpStatusCode.BadRequest, noBody);
        Assert.Equal("project is required", noBodyError.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.False(string.IsNullOrEmpty(unknownError.GetProperty("request_id").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, noRole);
        Assert.Equal(HttpStatusCode.BadRequest, badRegion);
        Assert.Equal(HttpStatusCode.BadRequest, badSuspend);
        Assert.Equal(HttpStatusCode.NotFound, unknownRoute);
    }

    [Fact]
    public async Task OrgMode_ProjectListAndCreateRequireOrgId()
    {
        await using var host = FakeHost.Start(o => o.RequireOrgId = true);

        var (list, listError, _) = await host.RawAsync(HttpMethod.Get, "projects");
        var (create, _, _) = await host.RawAsync(HttpMethod.Post, "projects", """{"project":{"name":"x"}}""");
        var created = await host.CreateProjectAsync("x", p => p.OrgId = host.Server.OrgId);
        var listed = await host.Client.Projects.ListProjectsAsync(orgId: host.Server.OrgId);
        var (wrongOrg, _, _) = await host.RawAsync(HttpMethod.Get, "projects?org_id=org-someone-else");

        Assert.Equal(HttpStatusCode.BadRequest, list);
        Assert.Equal("org_id is required", listError.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, create);
        Assert.Equal(host.Server.OrgId, created.Project.OrgId);
        Assert.Single(listed.Projects);
        Assert.Equal(HttpStatusCode.NotFound, wrongOrg);
    }

    [Fact]
    public async Task Regions_ListsTheDefaultRegion()
    {
        await using var host = FakeHost.Start();

        var regions = await host.Client.Regions.GetActiveRegionsAsync();

        Assert.Equal("aws-us-east-2", Assert.Single(regions.Regions, r => r.Default).RegionId);
    }
}
