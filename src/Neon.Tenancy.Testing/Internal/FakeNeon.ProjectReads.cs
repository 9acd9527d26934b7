using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>The fake's read side of projects: listing (with cursor and recovery window) and connection URIs.</summary>
internal sealed partial class FakeNeon
{
    /// <summary>Connection details: local PostgreSQL when backed (pooled and direct both point at it), Neon-shaped hosts otherwise.</summary>
    private ConnectionDetails Connection(FakeProject project, Endpoint endpoint, FakeRole role, FakeDatabase database, bool pooled)
    {
        string host, poolerHost, roleName, databaseName, query;
        if (_postgres is not null && role.RealName is not null && database.RealName is not null)
        {
            // With cold starts, the endpoint's own proxy port stands in for its compute.
            host = poolerHost = _proxy is null
                ? _postgres.HostWithPort
                : "127.0.0.1:" + _proxy.PortFor(endpoint.Id).ToString(System.Globalization.CultureInfo.InvariantCulture);
            roleName = role.RealName;
            databaseName = database.RealName;
            query = "";
        }
        else
        {
            host = endpoint.Host;
            poolerHost = Host(endpoint.Id, project.Project.RegionId, pooled: true);
            roleName = role.Role.Name;
            databaseName = database.Database.Name;
            query = "?sslmode=require&channel_binding=require";
        }

        var uri = $"postgresql://{Uri.EscapeDataString(roleName)}:{Uri.EscapeDataString(role.Password)}@{(pooled ? poolerHost : host)}/{Uri.EscapeDataString(databaseName)}{query}";
        return new ConnectionDetails
        {
            ConnectionUri = uri,
            ConnectionParameters = new ConnectionParameters { Database = databaseName, Role = roleName, Password = role.Password, Host = host, PoolerHost = poolerHost },
        };
    }

    private FakeResponse GetConnectionUri(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var databaseName = request.QueryValue("database_name") ?? throw new FakeApiException(400, "database_name is required");
        var roleName = request.QueryValue("role_name") ?? throw new FakeApiException(400, "role_name is required");
        var branchId = request.QueryValue("branch_id");
        var branch = branchId is null ? project.DefaultBranch : BranchOf(project, branchId);
        var endpointId = request.QueryValue("endpoint_id");
        var endpoint = endpointId is null
            ? project.Endpoints.FirstOrDefault(e => e.BranchId == branch.Branch.Id) ?? throw new FakeApiException(404, $"branch {branch.Branch.Id} has no endpoint")
            : EndpointOf(project, endpointId);
        var role = RoleOf(branch, roleName);
        var database = DatabaseOf(branch, databaseName);
        var pooled = ParseBool(request, "pooled") ?? false;
        return FakeResponse.Json(200, new ConnectionURIResponse { Uri = Connection(project, endpoint, role, database, pooled).ConnectionUri },
            NeonApiJsonContext.Default.ConnectionURIResponse);
    }

    private FakeResponse ListProjects(FakeRequest request)
    {
        CheckOrg(request.QueryValue("org_id"));
        var limit = (int)(ParseLong(request, "limit", 1, 400) ?? 10);
        var recoverable = ParseBool(request, "recoverable") ?? false;
        var search = request.QueryValue("search");
        var now = Now;
        IEnumerable<FakeProject> query = _projects
            .Where(p => recoverable ? p.DeletedAt is not null && p.DeletedAt.Value + _options.RecoveryWindow > now : p.DeletedAt is null)
            .OrderBy(p => p.Sequence);
        if (!string.IsNullOrEmpty(search))
        {
            query = query.Where(p => p.Project.Name.Contains(search, StringComparison.OrdinalIgnoreCase) || p.Project.Id.Contains(search, StringComparison.OrdinalIgnoreCase));
        }

        var cursor = request.QueryValue("cursor");
        if (!string.IsNullOrEmpty(cursor))
        {
            var after = _projects.FirstOrDefault(p => p.Project.Id == cursor) ?? throw new FakeApiException(400, "invalid cursor");
            query = query.Where(p => p.Sequence > after.Sequence);
        }

        var page = query.Take(limit).ToList();
        return FakeResponse.Json(200, new ListProjectsResponse
        {
            Projects = [.. page.Select(p => ListItem(p))],
            Pagination = page.Count == 0 ? null : new Pagination { Cursor = page[^1].Project.Id },
        }, NeonApiJsonContext.Default.ListProjectsResponse);
    }

    private ProjectListItem ListItem(FakeProject fake)
    {
        var p = fake.Project;
        return new ProjectListItem
        {
            Id = p.Id,
            PlatformId = p.PlatformId,
            RegionId = p.RegionId,
            Name = p.Name,
            Provisioner = p.Provisioner,
            DefaultEndpointSettings = p.DefaultEndpointSettings,
            Settings = p.Settings,
            PgVersion = p.PgVersion,
            ProxyHost = p.ProxyHost,
            BranchLogicalSizeLimit = p.BranchLogicalSizeLimit,
            BranchLogicalSizeLimitBytes = p.BranchLogicalSizeLimitBytes,
            StorePasswords = p.StorePasswords,
            CreationSource = p.CreationSource,
            CreatedAt = p.CreatedAt,
            UpdatedAt = p.UpdatedAt,
            OwnerId = p.OwnerId,
            OrgId = p.OrgId,
            HistoryRetentionSeconds = p.HistoryRetentionSeconds,
            DeletedAt = fake.DeletedAt,
            RecoverableUntil = fake.DeletedAt + _options.RecoveryWindow,
        };
    }
}
