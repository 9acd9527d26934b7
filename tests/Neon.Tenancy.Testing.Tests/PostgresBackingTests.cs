using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>The fake backed by the real PostgreSQL that eng/test.sh starts. These fail, never skip, without it.</summary>
public class PostgresBackingTests
{
    private static FakeHost Start(out Microsoft.Extensions.Time.Testing.FakeTimeProvider time) => FakeHost.StartBacked(out time);

    /// <summary>A backed fake with one project whose operations have finished, and that project's connection string.</summary>
    private static async Task<(FakeHost Host, CreateProjectResponse Created, string ConnectionString)> StartWithReadyProjectAsync()
    {
        var host = Start(out var time);
        var created = await host.CreateProjectAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        return (host, created, FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri));
    }

    private static async Task<int> QueryOneAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task CreateProject_ConnectionUrisAndParametersReallyConnect()
    {
        await using var host = Start(out _);
        var created = await host.CreateProjectAsync("acme", p => p.Branch = new ProjectCreateRequestProjectBranch { RoleName = "app", DatabaseName = "appdb" });
        var details = created.ConnectionUris[0];
        var pooled = await host.Client.Projects.GetConnectionURIAsync(created.Project.Id, "appdb", "app", pooled: true);

        Assert.Equal(1, await QueryOneAsync(FakeHost.ToNpgsql(details.ConnectionUri)));
        Assert.Equal(1, await QueryOneAsync(FakeHost.ToNpgsql(pooled.Uri)));
        var parameters = details.ConnectionParameters;
        var fromParameters = new NpgsqlConnectionStringBuilder
        {
            Host = parameters.Host,
            Username = parameters.Role,
            Password = parameters.Password,
            Database = parameters.Database,
            Pooling = false,
        }.ConnectionString;
        await using var connection = new NpgsqlConnection(fromParameters);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user || '/' || current_database()", connection);
        Assert.Equal($"{created.Project.Id}_app/{created.Project.Id}_appdb", await command.ExecuteScalarAsync());
        Assert.Equal($"{created.Project.Id}_appdb", await host.Server.GetPostgresDatabaseNameAsync(created.Project.Id, "appdb"));
    }

    [Fact]
    public async Task Quota_Exceeded_SuspendsComputesUntilRaised()
    {
        await using var host = Start(out var time);
        var created = await host.CreateProjectAsync(configure: p => p.Settings = new ProjectSettingsData { Quota = new ProjectQuota { ComputeTimeSeconds = 100 } });
        var projectId = created.Project.Id;
        var connectionString = FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri);
        time.Advance(TimeSpan.FromSeconds(10));
        await using var open = new NpgsqlConnection(connectionString);
        await open.OpenAsync();

        await host.Server.SetUsageAsync(projectId, new NeonFakeUsage { ComputeTimeSeconds = 100 });

        var terminated = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var command = new NpgsqlCommand("SELECT 1", open);
            await command.ExecuteScalarAsync();
        });
        Assert.Equal("57P01", (terminated as PostgresException ?? terminated.InnerException as PostgresException)?.SqlState);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => QueryOneAsync(connectionString));
        Assert.Equal("55000", refused.SqlState);
        var (start, startError, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/endpoints/{created.Endpoints[0].Id}/start");
        Assert.Equal(423, (int)start);
        Assert.Equal("QUOTA_EXCEEDED", startError.GetProperty("code").GetString());
        Assert.Equal(EndpointState.Idle, (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, created.Endpoints[0].Id)).Endpoint.CurrentState);

        var raised = await host.Client.Projects.UpdateProjectAsync(projectId, new ProjectUpdateRequest
        {
            Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = new ProjectQuota { ComputeTimeSeconds = 0 } } },
        });

        Assert.Equal(0, raised.Project.Settings!.Quota!.ComputeTimeSeconds);
        Assert.Equal(1, await QueryOneAsync(connectionString));
        Assert.Equal(EndpointState.Active, (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, created.Endpoints[0].Id)).Endpoint.CurrentState);
    }

    [Fact]
    public async Task ResetPassword_ChangesTheRealPassword()
    {
        var (host, created, oldConnection) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;

        var reset = await host.Client.Branches.ResetProjectBranchRolePasswordAsync(created.Project.Id, created.Branch.Id, "neondb_owner");
        var newUri = await host.Client.Projects.GetConnectionURIAsync(created.Project.Id, "neondb", "neondb_owner");

        var rejected = await Assert.ThrowsAsync<PostgresException>(() => QueryOneAsync(oldConnection));
        Assert.Equal("28P01", rejected.SqlState);
        Assert.Contains(Uri.EscapeDataString(reset.Role.Password!), newUri.Uri);
        Assert.Equal(1, await QueryOneAsync(FakeHost.ToNpgsql(newUri.Uri)));
    }

    [Fact]
    public async Task EndpointSuspend_TerminatesOpenConnections_NewOnesStillConnect()
    {
        var (host, created, connectionString) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        await using var open = new NpgsqlConnection(connectionString);
        await open.OpenAsync();

        await host.Client.Endpoints.SuspendProjectEndpointAsync(created.Project.Id, created.Endpoints[0].Id);

        var terminated = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var command = new NpgsqlCommand("SELECT 1", open);
            await command.ExecuteScalarAsync();
        });
        Assert.Equal("57P01", (terminated as PostgresException ?? terminated.InnerException as PostgresException)?.SqlState);
        Assert.Equal(1, await QueryOneAsync(connectionString));
    }

    [Fact]
    public async Task CreateRoleAndDatabase_AreRealAndOwned()
    {
        await using var host = Start(out var time);
        var created = await host.CreateProjectAsync();
        var (projectId, branchId) = (created.Project.Id, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Client.Branches.CreateProjectBranchRoleAsync(projectId, branchId, new RoleCreateRequest { Role = new RoleCreateRequestRole { Name = "worker" } });
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Client.Branches.CreateProjectBranchDatabaseAsync(projectId, branchId,
            new DatabaseCreateRequest { Database = new DatabaseCreateRequestDatabase { Name = "jobs", OwnerName = "worker" } });

        var uri = await host.Client.Projects.GetConnectionURIAsync(projectId, "jobs", "worker", pooled: true);

        await using var connection = new NpgsqlConnection(FakeHost.ToNpgsql(uri.Uri));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE t (id int); SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()", connection);
        Assert.Equal($"{projectId}_worker", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task CreateRole_IsARealLoginRoleWithOnlyPublicRightsInTheOwnersDatabase()
    {
        await using var host = Start(out var time);
        var created = await host.CreateProjectAsync();
        var (projectId, branchId) = (created.Project.Id, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        var role = await host.Client.Branches.CreateProjectBranchRoleAsync(projectId, branchId, new RoleCreateRequest { Role = new RoleCreateRequestRole { Name = "app" } });

        var uri = await host.Client.Projects.GetConnectionURIAsync(projectId, "neondb", "app", pooled: false);

        Assert.False(string.IsNullOrEmpty(role.Role.Password));
        await using var connection = new NpgsqlConnection(FakeHost.ToNpgsql(uri.Uri));
        await connection.OpenAsync();
        await using (var whoami = new NpgsqlCommand("SELECT current_user", connection))
        {
            Assert.Equal($"{projectId}_app", await whoami.ExecuteScalarAsync());
        }

        await using var create = new NpgsqlCommand("CREATE TABLE t (id int)", connection);
        Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => create.ExecuteNonQueryAsync())).SqlState);
    }

    [Fact]
    public async Task DeleteRecoverAndDispose_ManageTheRealDatabase()
    {
        var host = Start(out var time);
        string realName;
        try
        {
            var created = await host.CreateProjectAsync();
            time.Advance(TimeSpan.FromSeconds(10)); // the creation's operations end; Neon refuses to delete a project while they run
            var connectionString = FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri);
            realName = (await host.Server.GetPostgresDatabaseNameAsync(created.Project.Id, "neondb"))!;
            await using (var setup = new NpgsqlConnection(connectionString))
            {
                await setup.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('data')", setup);
                await create.ExecuteNonQueryAsync();
            }

            await host.Client.Projects.DeleteProjectAsync(created.Project.Id);
            await Assert.ThrowsAsync<PostgresException>(() => QueryOneAsync(connectionString));
            await host.Client.Projects.RecoverProjectAsync(created.Project.Id);

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT v FROM kept", connection);
            Assert.Equal("data", await read.ExecuteScalarAsync());
            Assert.True(await FakeHost.DatabaseExistsAsync(realName));
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.False(await FakeHost.DatabaseExistsAsync(realName));
    }
}
