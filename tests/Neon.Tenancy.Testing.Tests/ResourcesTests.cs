using System.Net;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Tests;

public class ResourcesTests
{
    [Fact]
    public async Task Restore_OntoOwnHistory_PreservesTheOldStateAsABranch()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync();
        var projectId = created.Project.Id;
        time.Advance(TimeSpan.FromHours(1));
        var restoreTo = time.GetUtcNow() - TimeSpan.FromMinutes(30);

        var (missingPreserve, error, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{created.Branch.Id}/restore",
            $$"""{"source_branch_id":"{{created.Branch.Id}}","source_timestamp":"{{restoreTo:O}}"}""");
        var (tooOld, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{created.Branch.Id}/restore",
            $$"""{"source_branch_id":"{{created.Branch.Id}}","source_timestamp":"{{time.GetUtcNow().AddDays(-2):O}}","preserve_under_name":"old"}""");
        var restored = await host.Client.Branches.RestoreProjectBranchAsync(projectId, created.Branch.Id,
            new BranchRestoreRequest { SourceBranchId = created.Branch.Id, SourceTimestamp = restoreTo, PreserveUnderName = "main_old" });
        var (locked, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{created.Branch.Id}/restore",
            $$"""{"source_branch_id":"{{created.Branch.Id}}","source_lsn":"0/1A2B3C","preserve_under_name":"again"}""");
        var branches = await host.Client.Branches.ListAllProjectBranchesAsync(projectId, pageSize: 1).ToListAsync();
        var page = await host.Client.Branches.ListProjectBranchesAsync(projectId, limit: 1, sortBy: ListProjectBranchesSortBy.Name, sortOrder: ListProjectBranchesSortOrder.Asc);

        Assert.Equal(HttpStatusCode.BadRequest, missingPreserve);
        Assert.Contains("preserve_under_name", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, tooOld);
        Assert.Equal(restoreTo, restored.Branch.ParentTimestamp);
        Assert.Equal(time.GetUtcNow(), restored.Branch.LastResetAt);
        Assert.Contains(restored.Operations, o => o.Action == OperationAction.CreateTimeline);
        Assert.Equal((HttpStatusCode)423, locked);
        Assert.Equal(["main", "main_old"], branches.Select(b => b.Name).Order());
        Assert.Equal("main", Assert.Single(page.Branches).Name);
        Assert.Equal("name", page.Pagination!.SortBy);
        Assert.False(string.IsNullOrEmpty(page.Pagination.Next));
        var preserved = branches.Single(b => b.Name == "main_old");
        Assert.Equal("main_old", (await host.Client.Branches.GetProjectBranchAsync(projectId, preserved.Id)).Branch.Name);
        Assert.Equal(["neondb"], (await host.Client.Branches.ListProjectBranchDatabasesAsync(projectId, preserved.Id)).Databases.Select(d => d.Name));
    }

    [Fact]
    public async Task Endpoints_UpdateSuspendStart_ChangeSettingsAndState()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync();
        var projectId = created.Project.Id;
        var endpointId = created.Endpoints[0].Id;
        time.Advance(TimeSpan.FromSeconds(10));

        var (badTimeout, _, _) = await host.RawAsync(HttpMethod.Patch, $"projects/{projectId}/endpoints/{endpointId}", """{"endpoint":{"suspend_timeout_seconds":30}}""");
        var (badScaling, _, _) = await host.RawAsync(HttpMethod.Patch, $"projects/{projectId}/endpoints/{endpointId}", """{"endpoint":{"autoscaling_limit_min_cu":4,"autoscaling_limit_max_cu":2}}""");
        var updated = await host.Client.Endpoints.UpdateProjectEndpointAsync(projectId, endpointId, new EndpointUpdateRequest
        {
            Endpoint = new EndpointUpdateRequestEndpoint { AutoscalingLimitMinCu = 1, AutoscalingLimitMaxCu = 4, SuspendTimeoutSeconds = 600 },
        });
        time.Advance(TimeSpan.FromSeconds(10));
        var suspended = await host.Client.Endpoints.SuspendProjectEndpointAsync(projectId, endpointId);
        var afterSuspend = (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, endpointId)).Endpoint;
        time.Advance(TimeSpan.FromSeconds(10));
        var started = await host.Client.Endpoints.StartProjectEndpointAsync(projectId, endpointId);
        var listed = await host.Client.Endpoints.ListProjectEndpointsAsync(projectId);

        Assert.Equal(HttpStatusCode.BadRequest, badTimeout);
        Assert.Equal(HttpStatusCode.BadRequest, badScaling);
        Assert.Equal((1.0, 4.0, 600L), (updated.Endpoint.AutoscalingLimitMinCu, updated.Endpoint.AutoscalingLimitMaxCu, updated.Endpoint.SuspendTimeoutSeconds));
        Assert.Equal(OperationAction.SuspendCompute, Assert.Single(suspended.Operations).Action);
        Assert.Equal(EndpointState.Idle, afterSuspend.CurrentState);
        Assert.Equal(OperationAction.StartCompute, Assert.Single(started.Operations).Action);
        Assert.Equal(EndpointState.Active, Assert.Single(listed.Endpoints).CurrentState);
    }

    [Fact]
    public async Task RolesAndDatabases_CreateListResetReveal()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time);
        var created = await host.CreateProjectAsync();
        var (projectId, branchId) = (created.Project.Id, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));

        var role = await host.Client.Branches.CreateProjectBranchRoleAsync(projectId, branchId, new RoleCreateRequest { Role = new RoleCreateRequestRole { Name = "reporting" } });
        time.Advance(TimeSpan.FromSeconds(10));
        var database = await host.Client.Branches.CreateProjectBranchDatabaseAsync(projectId, branchId,
            new DatabaseCreateRequest { Database = new DatabaseCreateRequestDatabase { Name = "reports", OwnerName = "reporting" } });
        time.Advance(TimeSpan.FromSeconds(10));
        var reset = await host.Client.Branches.ResetProjectBranchRolePasswordAsync(projectId, branchId, "reporting");
        var revealed = await host.Client.Branches.GetProjectBranchRolePasswordAsync(projectId, branchId, "reporting");
        var roles = await host.Client.Branches.ListProjectBranchRolesAsync(projectId, branchId);
        var databases = await host.Client.Branches.ListProjectBranchDatabasesAsync(projectId, branchId);
        var (duplicate, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{branchId}/roles", """{"role":{"name":"reporting"}}""");
        var (noOwner, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{branchId}/databases", """{"database":{"name":"x","owner_name":"nobody"}}""");

        Assert.StartsWith("npg_", role.Role.Password);
        Assert.Equal("reporting", database.Database.OwnerName);
        Assert.NotEqual(role.Role.Password, reset.Role.Password);
        Assert.Equal(reset.Role.Password, revealed.Password);
        Assert.Equal(["neondb_owner", "reporting"], roles.Roles.Select(r => r.Name));
        Assert.All(roles.Roles, r => Assert.Null(r.Password));
        Assert.Equal(["neondb", "reports"], databases.Databases.Select(d => d.Name));
        Assert.Equal(HttpStatusCode.Conflict, duplicate);
        Assert.Equal(HttpStatusCode.BadRequest, noOwner);
    }

    [Fact]
    public async Task RevealPassword_WithoutStoredPasswords_Answers412()
    {
        await using var host = FakeHost.Start();
        var created = await host.CreateProjectAsync(configure: p => p.StorePasswords = false);

        var (status, body, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}/branches/{created.Branch.Id}/roles/neondb_owner/reveal_password");

        Assert.Equal(HttpStatusCode.PreconditionFailed, status);
        Assert.Contains("store_passwords", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ConnectionUri_PooledAndDirect_DifferByPoolerHost()
    {
        await using var host = FakeHost.Start();
        var created = await host.CreateProjectAsync();

        var direct = await host.Client.Projects.GetConnectionURIAsync(created.Project.Id, "neondb", "neondb_owner", pooled: false);
        var pooled = await host.Client.Projects.GetConnectionURIAsync(created.Project.Id, "neondb", "neondb_owner", pooled: true);
        var (unknownDb, _, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}/connection_uri?database_name=nope&role_name=neondb_owner");

        var endpointId = created.Endpoints[0].Id;
        Assert.Contains($"@{endpointId}.", direct.Uri);
        Assert.Contains($"@{endpointId}-pooler.", pooled.Uri);
        Assert.Equal(created.ConnectionUris[0].ConnectionUri, direct.Uri);
        Assert.Equal(HttpStatusCode.NotFound, unknownDb);
    }

    [Fact]
    public async Task Consumption_ValidatesLikeNeonAndSumsRecordedValues()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time, o => o.OperationDuration = TimeSpan.Zero);
        var a = await host.CreateProjectAsync("a");
        var b = await host.CreateProjectAsync("b");
        var now = time.GetUtcNow();
        await host.Server.AddConsumptionAsync(a.Project.Id, now.AddHours(-3), "compute_unit_seconds", 5_000_000_000);
        await host.Server.AddConsumptionAsync(a.Project.Id, now.AddHours(-3).AddMinutes(1), "compute_unit_seconds", 7);
        await host.Server.AddConsumptionAsync(b.Project.Id, now.AddDays(-1), "compute_unit_seconds", 1);
        var from = Uri.EscapeDataString(now.AddDays(-2).ToString("O"));
        var to = Uri.EscapeDataString(now.ToString("O"));

        var (noOrg, _, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?from={from}&to={to}&granularity=daily&metrics=compute_unit_seconds");
        var (noMetrics, _, _) = await host.RawAsync(HttpMethod.Get, $"consumption_history/v2/projects?from={from}&to={to}&granularity=daily&org_id={host.Server.OrgId}");
        var (tooFarBack, _, _) = await host.RawAsync(HttpMethod.Get,
            $"consumption_history/v2/projects?from={Uri.EscapeDataString(now.AddDays(-8).ToString("O"))}&to={to}&granularity=hourly&org_id={host.Server.OrgId}&metrics=compute_unit_seconds");
        var all = await host.Client.Consumption.ListAllConsumptionHistoryPerProjectV2Async(now.AddDays(-2), now, ConsumptionHistoryGranularity.Daily,
            host.Server.OrgId, ["compute_unit_seconds"], pageSize: 1).ToListAsync();

        Assert.Equal(HttpStatusCode.BadRequest, noOrg);
        Assert.Equal(HttpStatusCode.BadRequest, noMetrics);
        Assert.Equal((HttpStatusCode)406, tooFarBack);
        Assert.Equal(2, all.Count);
        var forA = all.Single(p => p.ProjectId == a.Project.Id);
        var frames = Assert.Single(forA.Periods).Consumption;
        Assert.Equal(3, frames.Count);
        Assert.Equal(5_000_000_007, frames.Sum(f => f.Metrics!.Single().Value));
        Assert.Equal(1, all.Single(p => p.ProjectId == b.Project.Id).Periods[0].Consumption.Sum(f => f.Metrics!.Single().Value));
    }
}
