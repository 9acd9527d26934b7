using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>The fake's project lifecycle: create (branch, endpoint, role, database and operations at once), update, delete within the recovery window, recover.</summary>
internal sealed partial class FakeNeon
{
    private static readonly string[] Regions =
        ["aws-us-east-1", "aws-us-east-2", "aws-us-west-2", "aws-eu-central-1", "aws-eu-west-2", "aws-ap-southeast-1", "aws-ap-southeast-2", "aws-sa-east-1", "azure-eastus2", "azure-westus3", "azure-gwc"];

    private void MapProjects(FakeRouter router)
    {
        router.Map("POST", "projects", CreateProjectAsync);
        router.Map("GET", "projects", ListProjects);
        router.Map("GET", "projects/{project_id}", r => FakeResponse.Json(200, new ProjectResponse { Project = LiveProject(r.Route("project_id")).Project }, NeonApiJsonContext.Default.ProjectResponse));
        router.Map("PATCH", "projects/{project_id}", UpdateProjectAsync);
        router.Map("DELETE", "projects/{project_id}", DeleteProjectAsync);
        router.Map("POST", "projects/{project_id}/recover", RecoverProjectAsync);
        router.Map("GET", "projects/{project_id}/connection_uri", GetConnectionUri);
        router.Map("GET", "regions", _ => FakeResponse.Json(200, new ActiveRegionsResponse
        {
            Regions = [.. Regions.Select(r => new RegionResponse { RegionId = r, Name = r, Default = r == _options.DefaultRegion, GeoLat = "0", GeoLong = "0" })],
        }, NeonApiJsonContext.Default.ActiveRegionsResponse));
    }

    private void CheckOrg(string? orgId)
    {
        if (orgId is null)
        {
            if (_options.RequireOrgId)
            {
                throw new FakeApiException(400, "org_id is required");
            }
        }
        else if (orgId != _options.OrgId)
        {
            throw new FakeApiException(404, $"organization {orgId} not found");
        }
    }

    private async Task<FakeResponse> CreateProjectAsync(FakeRequest request)
    {
        var body = ReadBody(request, NeonApiJsonContext.Default.ProjectCreateRequest, "project");
        var spec = body.Project ?? throw new FakeApiException(400, "project is required");
        CheckOrg(spec.OrgId);
        var region = spec.RegionId ?? _options.DefaultRegion;
        if (!Regions.Contains(region))
        {
            throw new FakeApiException(400, $"region {region} is not supported");
        }

        var pgVersion = spec.PgVersion ?? 17;
        if (pgVersion is < 14 or > 18)
        {
            throw new FakeApiException(400, $"pg_version {pgVersion} is not supported");
        }

        var defaults = spec.DefaultEndpointSettings ?? new DefaultEndpointSettings();
        var minCu = defaults.AutoscalingLimitMinCu ?? spec.AutoscalingLimitMinCu ?? 0.25;
        var maxCu = defaults.AutoscalingLimitMaxCu ?? spec.AutoscalingLimitMaxCu ?? Math.Max(minCu, 2);
        ValidateAutoscaling(minCu, maxCu);
        var suspendTimeout = defaults.SuspendTimeoutSeconds ?? 0;
        ValidateSuspendTimeout(suspendTimeout);
        var history = spec.HistoryRetentionSeconds ?? 86400;
        if (history is < 0 or > 2592000)
        {
            throw new FakeApiException(400, "history_retention_seconds must be between 0 and 2592000");
        }

        var now = Now;
        var id = NewProjectId();
        var periodStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var project = new Project
        {
            Id = id,
            PlatformId = region.StartsWith("azure-", StringComparison.Ordinal) ? "azure" : "aws",
            RegionId = region,
            Name = string.IsNullOrEmpty(spec.Name) ? id : spec.Name,
            Provisioner = spec.Provisioner ?? "k8s-neonvm",
            DefaultEndpointSettings = new DefaultEndpointSettings
            {
                AutoscalingLimitMinCu = minCu,
                AutoscalingLimitMaxCu = maxCu,
                SuspendTimeoutSeconds = suspendTimeout,
                PgSettings = defaults.PgSettings,
                PgbouncerSettings = defaults.PgbouncerSettings,
            },
            Settings = spec.Settings ?? new ProjectSettingsData(),
            PgVersion = pgVersion,
            ProxyHost = Host("", region, false)[1..],
            BranchLogicalSizeLimit = -1,
            BranchLogicalSizeLimitBytes = -1,
            StorePasswords = spec.StorePasswords ?? true,
            CreationSource = "console",
            HistoryRetentionSeconds = history,
            CreatedAt = now,
            UpdatedAt = now,
            SyntheticStorageSize = 0,
            ConsumptionPeriodStart = periodStart,
            ConsumptionPeriodEnd = periodStart.AddMonths(1),
            OwnerId = "fake-owner",
            OrgId = _options.OrgId,
        };
        project.Settings.Quota ??= new ProjectQuota();
        var fake = new FakeProject { Project = project, Sequence = ++_sequence };

        var branchSpec = spec.Branch ?? new ProjectCreateRequestProjectBranch();
        var branch = NewBranch(id, string.IsNullOrEmpty(branchSpec.Name) ? "main" : branchSpec.Name, isDefault: true, now);
        fake.Branches.Add(branch);
        var roleName = string.IsNullOrEmpty(branchSpec.RoleName) ? "neondb_owner" : branchSpec.RoleName;
        var databaseName = string.IsNullOrEmpty(branchSpec.DatabaseName) ? "neondb" : branchSpec.DatabaseName;
        var role = new FakeRole
        {
            Role = new Role { BranchId = branch.Branch.Id, Name = roleName, Protected = false, AuthenticationMethod = "password", CreatedAt = now, UpdatedAt = now },
            Password = NewPassword(),
            RealName = _postgres is null ? null : PostgresBackend.RealName(id, roleName),
        };
        var database = new FakeDatabase
        {
            Database = new Database { Id = fake.NextDatabaseId++, BranchId = branch.Branch.Id, Name = databaseName, OwnerName = roleName, CreatedAt = now, UpdatedAt = now },
            RealName = _postgres is null ? null : PostgresBackend.RealName(id, databaseName),
        };
        branch.Roles.Add(role);
        branch.Databases.Add(database);
        var endpoint = NewEndpoint(project, branch.Branch.Id, now);
        fake.Endpoints.Add(endpoint);

        if (_postgres is not null)
        {
            await _postgres.CreateRoleAsync(role.RealName!, role.Password, CancellationToken.None).ConfigureAwait(false);
            await _postgres.CreateDatabaseAsync(database.RealName!, role.RealName!, CancellationToken.None).ConfigureAwait(false);
        }

        _projects.Add(fake);
        var operations = new List<Operation>
        {
            StartOperation(fake, OperationAction.CreateTimeline, branch.Branch.Id, null),
            StartOperation(fake, OperationAction.StartCompute, branch.Branch.Id, endpoint.Id),
        };
        await ApplyQuotaAsync(fake, CancellationToken.None).ConfigureAwait(false);
        return FakeResponse.Json(201, new CreateProjectResponse
        {
            Project = project,
            Branch = branch.Branch,
            Endpoints = [endpoint],
            Databases = [database.Database],
            Roles = [role.WithPassword(include: true)],
            Operations = operations,
            ConnectionUris = [Connection(fake, endpoint, role, database, pooled: false)],
        }, NeonApiJsonContext.Default.CreateProjectResponse);
    }

    private static FakeBranch NewBranch(string projectId, string name, bool isDefault, DateTimeOffset now) => new()
    {
        Branch = new Branch
        {
            Id = NewBranchId(),
            ProjectId = projectId,
            Name = name,
            CurrentState = "ready",
            StateChangedAt = now,
            LogicalSize = 0,
            CreationSource = "console",
            Primary = isDefault,
            Default = isDefault,
            Protected = false,
            CreatedAt = now,
            UpdatedAt = now,
        },
    };

    private static Endpoint NewEndpoint(Project project, string branchId, DateTimeOffset now)
    {
        var id = NewEndpointId();
        return new Endpoint
        {
            Host = Host(id, project.RegionId, pooled: false),
            Id = id,
            ProjectId = project.Id,
            BranchId = branchId,
            AutoscalingLimitMinCu = project.DefaultEndpointSettings?.AutoscalingLimitMinCu ?? 0.25,
            AutoscalingLimitMaxCu = project.DefaultEndpointSettings?.AutoscalingLimitMaxCu ?? 2,
            RegionId = project.RegionId,
            Type = EndpointType.ReadWrite,
            CurrentState = EndpointState.Active,
            Settings = new EndpointSettingsData(),
            PoolerEnabled = false,
            PoolerMode = EndpointPoolerMode.Transaction,
            CreationSource = "console",
            CreatedAt = now,
            UpdatedAt = now,
            StartedAt = now,
            ProxyHost = project.ProxyHost,
            SuspendTimeoutSeconds = project.DefaultEndpointSettings?.SuspendTimeoutSeconds ?? 0,
            Provisioner = project.Provisioner,
        };
    }

    private static void ValidateAutoscaling(double min, double max)
    {
        // Neon: sizes 0.25 to 56 CU; an autoscaling range (min < max) stays within 16 CU and spans at most 8 CU.
        if (min < 0.25 || max > 56 || min > max || (max - min) > 8 || (min < max && max > 16))
        {
            throw new FakeApiException(400, "autoscaling limits must satisfy 0.25 <= min <= max <= 56, max - min <= 8, and max <= 16 when min < max");
        }
    }

    private static void ValidateSuspendTimeout(long seconds)
    {
        if (seconds is not (0 or -1) && seconds is < 60 or > 604800)
        {
            throw new FakeApiException(400, "suspend_timeout_seconds must be -1, 0, or between 60 and 604800");
        }
    }

    private async Task<FakeResponse> UpdateProjectAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.ProjectUpdateRequest, "project");
        var spec = body.Project ?? throw new FakeApiException(400, "project is required");
        EnsureNotLocked(project);
        var p = project.Project;
        var defaults = p.DefaultEndpointSettings ??= new DefaultEndpointSettings();
        if (spec.DefaultEndpointSettings is { } d)
        {
            var min = d.AutoscalingLimitMinCu ?? defaults.AutoscalingLimitMinCu ?? 0.25;
            var max = d.AutoscalingLimitMaxCu ?? defaults.AutoscalingLimitMaxCu ?? 2;
            ValidateAutoscaling(min, max);
            ValidateSuspendTimeout(d.SuspendTimeoutSeconds ?? 0);
            defaults.AutoscalingLimitMinCu = min;
            defaults.AutoscalingLimitMaxCu = max;
            defaults.SuspendTimeoutSeconds = d.SuspendTimeoutSeconds ?? defaults.SuspendTimeoutSeconds;
            defaults.PgSettings = d.PgSettings ?? defaults.PgSettings;
        }

        if (spec.HistoryRetentionSeconds is { } history)
        {
            p.HistoryRetentionSeconds = history is < 0 or > 2592000
                ? throw new FakeApiException(400, "history_retention_seconds must be between 0 and 2592000")
                : history;
        }

        p.Name = string.IsNullOrEmpty(spec.Name) ? p.Name : spec.Name;
        if (spec.Settings is { } settings)
        {
            var settingsNow = p.Settings ??= new ProjectSettingsData();
            if (settings.Quota is { } quota)
            {
                var current = settingsNow.Quota ??= new ProjectQuota();
                current.ActiveTimeSeconds = quota.ActiveTimeSeconds ?? current.ActiveTimeSeconds;
                current.ComputeTimeSeconds = quota.ComputeTimeSeconds ?? current.ComputeTimeSeconds;
                current.WrittenDataBytes = quota.WrittenDataBytes ?? current.WrittenDataBytes;
                current.DataTransferBytes = quota.DataTransferBytes ?? current.DataTransferBytes;
                current.LogicalSizeBytes = quota.LogicalSizeBytes ?? current.LogicalSizeBytes;
            }

            settingsNow.AllowedIps = settings.AllowedIps ?? settingsNow.AllowedIps;
            settingsNow.EnableLogicalReplication = settings.EnableLogicalReplication ?? settingsNow.EnableLogicalReplication;
        }

        p.UpdatedAt = Now;
        var operations = new List<Operation>();
        foreach (var endpoint in project.Endpoints)
        {
            operations.Add(StartOperation(project, OperationAction.ApplyConfig, endpoint.BranchId, endpoint.Id));
        }

        await ApplyQuotaAsync(project, CancellationToken.None).ConfigureAwait(false);
        return FakeResponse.Json(200, new UpdateProjectResponse { Project = p, Operations = operations }, NeonApiJsonContext.Default.UpdateProjectResponse);
    }

    private async Task<FakeResponse> DeleteProjectAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        EnsureNotLocked(project);
        project.DeletedAt = Now;
        CloseComputes(project.Endpoints);
        if (_postgres is not null)
        {
            // Kept until the recovery window ends (or the fake is disposed), so a recovered project has its data.
            await _postgres.SetConnectableAsync(project.RealDatabases, connectable: false, CancellationToken.None).ConfigureAwait(false);
        }

        return FakeResponse.Json(200, new ProjectResponse { Project = project.Project }, NeonApiJsonContext.Default.ProjectResponse);
    }

    private async Task<FakeResponse> RecoverProjectAsync(FakeRequest request)
    {
        var id = request.Route("project_id");
        var now = Now;
        if (_projects.Any(p => p.DeletedAt is null && p.Project.Id == id))
        {
            throw new FakeApiException(400, $"project {id} is not deleted");
        }

        var project = _projects.FirstOrDefault(p => p.Project.Id == id && p.DeletedAt + _options.RecoveryWindow > now)
            ?? throw new FakeApiException(404, $"project {id} not found or no longer recoverable");
        project.DeletedAt = null;
        project.Project.UpdatedAt = now;
        if (_postgres is not null && !project.QuotaSuspended)
        {
            await _postgres.SetConnectableAsync(project.RealDatabases, connectable: true, CancellationToken.None).ConfigureAwait(false);
        }

        return FakeResponse.Json(200, new ProjectRecoverResponse { Project = project.Project, Branches = [.. project.Branches.Select(b => b.Branch)] },
            NeonApiJsonContext.Default.ProjectRecoverResponse);
    }
}
