using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>The fake's branches (list, get, restore) and each branch's endpoints, roles and databases.</summary>
internal sealed partial class FakeNeon
{
    private const string BranchPath = "projects/{project_id}/branches/{branch_id}";

    private void MapBranches(FakeRouter router)
    {
        router.Map("GET", "projects/{project_id}/branches", ListBranches);
        router.Map("GET", BranchPath, r =>
        {
            var branch = BranchOf(LiveProject(r.Route("project_id")), r.Route("branch_id"));
            return FakeResponse.Json(200, new GetProjectBranchResponse { Branch = branch.Branch, Annotation = new AnnotationData() }, NeonApiJsonContext.Default.GetProjectBranchResponse);
        });
        router.Map("POST", BranchPath + "/restore", RestoreBranchAsync);
        router.Map("GET", BranchPath + "/endpoints", r =>
        {
            var project = LiveProject(r.Route("project_id"));
            var branch = BranchOf(project, r.Route("branch_id"));
            return FakeResponse.Json(200, new EndpointsResponse { Endpoints = [.. project.Endpoints.Where(e => e.BranchId == branch.Branch.Id)] }, NeonApiJsonContext.Default.EndpointsResponse);
        });

        router.Map("GET", BranchPath + "/roles", r =>
        {
            var branch = BranchOf(LiveProject(r.Route("project_id")), r.Route("branch_id"));
            return FakeResponse.Json(200, new RolesResponse { Roles = [.. branch.Roles.Select(x => x.WithPassword(include: false))] }, NeonApiJsonContext.Default.RolesResponse);
        });
        router.Map("POST", BranchPath + "/roles", CreateRoleAsync);
        router.Map("GET", BranchPath + "/roles/{role_name}", r =>
        {
            var role = RoleOf(BranchOf(LiveProject(r.Route("project_id")), r.Route("branch_id")), r.Route("role_name"));
            return FakeResponse.Json(200, new RoleResponse { Role = role.WithPassword(include: false) }, NeonApiJsonContext.Default.RoleResponse);
        });
        router.Map("POST", BranchPath + "/roles/{role_name}/reset_password", ResetPasswordAsync);
        router.Map("GET", BranchPath + "/roles/{role_name}/reveal_password", r =>
        {
            var project = LiveProject(r.Route("project_id"));
            var role = RoleOf(BranchOf(project, r.Route("branch_id")), r.Route("role_name"));
            return project.Project.StorePasswords
                ? FakeResponse.Json(200, new RolePasswordResponse { Password = role.Password }, NeonApiJsonContext.Default.RolePasswordResponse)
                : throw new FakeApiException(412, "passwords are not stored for this project (store_passwords is false)");
        });

        router.Map("GET", BranchPath + "/databases", r =>
        {
            var branch = BranchOf(LiveProject(r.Route("project_id")), r.Route("branch_id"));
            return FakeResponse.Json(200, new DatabasesResponse { Databases = [.. branch.Databases.Select(d => d.Database)] }, NeonApiJsonContext.Default.DatabasesResponse);
        });
        router.Map("POST", BranchPath + "/databases", CreateDatabaseAsync);
        router.Map("GET", BranchPath + "/databases/{database_name}", r =>
        {
            var database = DatabaseOf(BranchOf(LiveProject(r.Route("project_id")), r.Route("branch_id")), r.Route("database_name"));
            return FakeResponse.Json(200, new DatabaseResponse { Database = database.Database }, NeonApiJsonContext.Default.DatabaseResponse);
        });
    }

    private FakeResponse ListBranches(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var limit = (int?)ParseLong(request, "limit", 1, 10000);
        var sortBy = request.QueryValue("sort_by") ?? "updated_at";
        var sortOrder = request.QueryValue("sort_order") ?? "desc";
        if (sortBy is not ("name" or "created_at" or "updated_at") || sortOrder is not ("asc" or "desc"))
        {
            throw new FakeApiException(400, "sort_by must be name, created_at or updated_at and sort_order asc or desc");
        }

        IEnumerable<Branch> branches = project.Branches.Select(b => b.Branch);
        var search = request.QueryValue("search");
        if (!string.IsNullOrEmpty(search))
        {
            branches = branches.Where(b => b.Name.Contains(search, StringComparison.OrdinalIgnoreCase) || b.Id.Contains(search, StringComparison.OrdinalIgnoreCase));
        }

        Func<Branch, string> key = sortBy switch
        {
            "name" => b => b.Name,
            "created_at" => b => b.CreatedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture),
            _ => b => b.UpdatedAt.UtcTicks.ToString("D20", CultureInfo.InvariantCulture),
        };
        var ordered = (sortOrder == "asc" ? branches.OrderBy(b => key(b), StringComparer.Ordinal) : branches.OrderByDescending(b => key(b), StringComparer.Ordinal))
            .ThenBy(b => b.Id, StringComparer.Ordinal).ToList();

        // The cursor is opaque to clients; the fake's is the index of the next branch in this order.
        var start = 0;
        var cursor = request.QueryValue("cursor");
        if (!string.IsNullOrEmpty(cursor) && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > ordered.Count))
        {
            throw new FakeApiException(400, "invalid cursor");
        }

        var page = ordered.Skip(start).Take(limit ?? int.MaxValue).ToList();
        var next = start + page.Count < ordered.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return FakeResponse.Json(200, new ListProjectBranchesResponse
        {
            Branches = page,
            Annotations = new Dictionary<string, AnnotationData>(),
            Pagination = limit is null && cursor is null ? null : new CursorPagination { Next = next, SortBy = sortBy, SortOrder = sortOrder },
        }, NeonApiJsonContext.Default.ListProjectBranchesResponse);
    }

    private async Task<FakeResponse> RestoreBranchAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var target = BranchOf(project, request.Route("branch_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.BranchRestoreRequest, "source_branch_id");
        if (string.IsNullOrEmpty(body.SourceBranchId))
        {
            throw new FakeApiException(400, "source_branch_id is required");
        }

        var source = BranchOf(project, body.SourceBranchId);
        if (body.SourceLsn is not null && body.SourceTimestamp is not null)
        {
            throw new FakeApiException(400, "source_lsn and source_timestamp are mutually exclusive");
        }

        var self = source == target;
        if (self && body.SourceLsn is null && body.SourceTimestamp is null)
        {
            throw new FakeApiException(400, "restoring a branch onto itself needs source_lsn or source_timestamp");
        }

        if (self && string.IsNullOrEmpty(body.PreserveUnderName))
        {
            throw new FakeApiException(400, "preserve_under_name is required when restoring a branch onto its own history");
        }

        var now = Now;
        if (body.SourceTimestamp is { } timestamp
            && (timestamp > now || timestamp < now - TimeSpan.FromSeconds(project.Project.HistoryRetentionSeconds) || timestamp < source.Branch.CreatedAt))
        {
            throw new FakeApiException(400, "source_timestamp is outside the history retention window of the source branch");
        }

        if (body.SourceLsn is { } lsn && !System.Text.RegularExpressions.Regex.IsMatch(lsn, "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            throw new FakeApiException(400, "source_lsn is not a valid LSN");
        }

        EnsureNotLocked(project);
        var operations = new List<Operation>();
        if (!string.IsNullOrEmpty(body.PreserveUnderName))
        {
            // The pre-restore state kept as a branch: in the API only (see the README).
            var preserved = NewBranch(project.Project.Id, body.PreserveUnderName, isDefault: false, now);
            preserved.Branch.ParentId = null;
            preserved.Branch.CreationSource = "restore";
            preserved.Branch.RestoredAs = target.Branch.Id;
            foreach (var role in target.Roles)
            {
                preserved.Roles.Add(new FakeRole { Role = new Role { BranchId = preserved.Branch.Id, Name = role.Role.Name, AuthenticationMethod = "password", CreatedAt = now, UpdatedAt = now }, Password = role.Password });
            }

            foreach (var database in target.Databases)
            {
                preserved.Databases.Add(new FakeDatabase { Database = new Database { Id = project.NextDatabaseId++, BranchId = preserved.Branch.Id, Name = database.Database.Name, OwnerName = database.Database.OwnerName, CreatedAt = now, UpdatedAt = now } });
            }

            project.Branches.Add(preserved);
            operations.Add(StartOperation(project, OperationAction.CreateBranch, preserved.Branch.Id, null));
        }

        target.Branch.ParentId = self ? target.Branch.ParentId : source.Branch.Id;
        target.Branch.ParentTimestamp = body.SourceTimestamp ?? (body.SourceLsn is null ? now : target.Branch.ParentTimestamp);
        target.Branch.ParentLsn = body.SourceLsn ?? target.Branch.ParentLsn;
        target.Branch.LastResetAt = now;
        target.Branch.RestoredFrom = source.Branch.Id;
        target.Branch.UpdatedAt = now;
        operations.Add(StartOperation(project, OperationAction.CreateTimeline, target.Branch.Id, null));
        foreach (var endpoint in project.Endpoints.Where(e => e.BranchId == target.Branch.Id))
        {
            operations.Add(StartOperation(project, OperationAction.StartCompute, target.Branch.Id, endpoint.Id));
        }

        if (_postgres is not null)
        {
            // The compute restarts onto the restored timeline: open connections end with 57P01. Data is not rewound.
            await _postgres.TerminateConnectionsAsync(target.Databases.Select(d => d.RealName).OfType<string>(), CancellationToken.None).ConfigureAwait(false);
        }

        return FakeResponse.Json(200, new BranchOperations { Branch = target.Branch, Operations = operations }, NeonApiJsonContext.Default.BranchOperations);
    }

    private async Task<FakeResponse> CreateRoleAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var branch = BranchOf(project, request.Route("branch_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.RoleCreateRequest, "role");
        var name = body.Role?.Name;
        if (string.IsNullOrEmpty(name) || name.Length > 63)
        {
            throw new FakeApiException(400, "role.name is required (1 to 63 characters)");
        }

        if (branch.Roles.Any(r => r.Role.Name == name))
        {
            throw new FakeApiException(409, $"role {name} already exists");
        }

        EnsureNotLocked(project);
        var now = Now;
        var backed = _postgres is not null && branch.Branch.Default;
        var role = new FakeRole
        {
            Role = new Role { BranchId = branch.Branch.Id, Name = name, Protected = false, AuthenticationMethod = body.Role!.NoLogin == true ? "no_login" : "password", CreatedAt = now, UpdatedAt = now },
            Password = NewPassword(),
            RealName = backed ? PostgresBackend.RealName(project.Project.Id, name) : null,
        };
        if (backed && SharedRoles(project, role).FirstOrDefault() is not null)
        {
            // Another branch (kept by a finalized restore) has this role: the real one is shared, with the new password.
            await _postgres!.SetPasswordAsync(role.RealName!, role.Password, CancellationToken.None).ConfigureAwait(false);
            foreach (var shared in SharedRoles(project, role))
            {
                shared.Password = role.Password;
            }
        }
        else if (backed)
        {
            await _postgres!.CreateRoleAsync(role.RealName!, role.Password, CancellationToken.None).ConfigureAwait(false);
        }

        branch.Roles.Add(role);
        var operations = OperationsOnBranchEndpoints(project, branch, OperationAction.ApplyConfig);
        return FakeResponse.Json(201, new RoleOperations { Role = role.WithPassword(include: true), Operations = operations }, NeonApiJsonContext.Default.RoleOperations);
    }

    private async Task<FakeResponse> ResetPasswordAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var branch = BranchOf(project, request.Route("branch_id"));
        var role = RoleOf(branch, request.Route("role_name"));
        EnsureNotLocked(project);
        var password = NewPassword();
        if (_postgres is not null && role.RealName is not null)
        {
            await _postgres.SetPasswordAsync(role.RealName, password, CancellationToken.None).ConfigureAwait(false);
        }

        role.Password = password;
        role.Role.UpdatedAt = Now;
        foreach (var shared in SharedRoles(project, role))
        {
            // Branches of a backed project share the real role: its other branches see the new password too.
            shared.Password = password;
        }

        var operations = OperationsOnBranchEndpoints(project, branch, OperationAction.ApplyConfig);
        return FakeResponse.Json(200, new RoleOperations { Role = role.WithPassword(include: true), Operations = operations }, NeonApiJsonContext.Default.RoleOperations);
    }

    private async Task<FakeResponse> CreateDatabaseAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var branch = BranchOf(project, request.Route("branch_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.DatabaseCreateRequest, "database");
        var name = body.Database?.Name;
        var ownerName = body.Database?.OwnerName;
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(ownerName))
        {
            throw new FakeApiException(400, "database.name and database.owner_name are required");
        }

        if (branch.Databases.Any(d => d.Database.Name == name))
        {
            throw new FakeApiException(409, $"database {name} already exists");
        }

        var owner = branch.Roles.FirstOrDefault(r => r.Role.Name == ownerName) ?? throw new FakeApiException(400, $"owner role {ownerName} does not exist");
        EnsureNotLocked(project);
        var now = Now;
        var backed = _postgres is not null && owner.RealName is not null;
        var database = new FakeDatabase
        {
            Database = new Database { Id = project.NextDatabaseId++, BranchId = branch.Branch.Id, Name = name, OwnerName = ownerName, CreatedAt = now, UpdatedAt = now },
            RealName = backed ? NewRealDatabaseName(project.Project.Id, name) : null,
        };
        if (backed)
        {
            await _postgres!.CreateDatabaseAsync(database.RealName!, owner.RealName!, CancellationToken.None).ConfigureAwait(false);
            if (project.QuotaSuspended)
            {
                await _postgres.SetConnectableAsync([database.RealName!], connectable: false, CancellationToken.None).ConfigureAwait(false);
            }
        }

        branch.Databases.Add(database);
        var operations = OperationsOnBranchEndpoints(project, branch, OperationAction.ApplyConfig);
        return FakeResponse.Json(201, new DatabaseOperations { Database = database.Database, Operations = operations }, NeonApiJsonContext.Default.DatabaseOperations);
    }

    /// <summary>The roles of the project's other branches backed by the same PostgreSQL role.</summary>
    private static IEnumerable<FakeRole> SharedRoles(FakeProject project, FakeRole role) =>
        role.RealName is null ? [] : project.Branches.SelectMany(b => b.Roles).Where(r => r != role && r.RealName == role.RealName);

    private List<Operation> OperationsOnBranchEndpoints(FakeProject project, FakeBranch branch, OperationAction action) =>
        [.. project.Endpoints.Where(e => e.BranchId == branch.Branch.Id).Select(e => StartOperation(project, action, branch.Branch.Id, e.Id))];
}
