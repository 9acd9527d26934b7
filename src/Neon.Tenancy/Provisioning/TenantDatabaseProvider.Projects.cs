using System.Diagnostics;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>The tenant's Neon project: found by its deterministic name (adoption), or created, and what the catalog keeps of it.</summary>
internal sealed partial class TenantDatabaseProvider
{
    private async Task<ProjectListItem?> FindProjectByNameAsync(TenantId tenantId, string projectName, CancellationToken cancellationToken)
    {
        var matches = new List<ProjectListItem>();
        await foreach (var project in _api.Projects.ListAllProjectsAsync(search: projectName, orgId: _apiOptions.CurrentValue.OrgId,
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(project.Name, projectName, StringComparison.Ordinal))
            {
                matches.Add(project);
            }
        }

        if (matches.Count == 0)
        {
            return null;
        }

        var oldest = matches.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).First();
        if (matches.Count > 1)
        {
            ProvisioningLog.SeveralProjectsNamed(_logger, tenantId.Value, matches.Count, projectName, oldest.Id);
        }

        return oldest;
    }

    /// <summary>Finds the project an earlier attempt created and reads what the catalog needs from it.</summary>
    private async Task<ProjectDetails?> FindProjectAsync(TenantId tenantId, string projectName, TenantProvisionRequest request, CancellationToken cancellationToken)
    {
        var project = await FindProjectByNameAsync(tenantId, projectName, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return null;
        }

        Branch? branch = null;
        await foreach (var candidate in _api.Branches.ListAllProjectBranchesAsync(project.Id, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (candidate.Default)
            {
                branch = candidate;
                break;
            }

            branch ??= candidate;
        }

        if (branch is null)
        {
            throw new InvalidOperationException($"Project '{project.Id}' of tenant '{tenantId}' has no branch to adopt.");
        }

        var database = request.DatabaseName ?? _options.DefaultDatabaseName;
        var role = request.RoleName ?? _options.DefaultRoleName;
        var (endpointId, pooled, direct) = await TenantBranchConnections.ReadAsync(
            _api, _protector, _options.SslMode, tenantId, project.Id, branch.Id, database, role, cancellationToken).ConfigureAwait(false);
        var running = await _kit.RunningOperationsAsync(project.Id, cancellationToken).ConfigureAwait(false);
        return new ProjectDetails(project.Id, project.RegionId, branch.Id, endpointId, database, role, pooled, direct, running);
    }

    private ProjectDetails FromCreateResponse(TenantId tenantId, CreateProjectResponse created, TenantProvisionRequest request)
    {
        var role = request.RoleName ?? _options.DefaultRoleName;
        var endpoint = created.Endpoints.FirstOrDefault(e => e.Type == EndpointType.ReadWrite) ?? created.Endpoints.FirstOrDefault();
        var uri = created.ConnectionUris.FirstOrDefault()
            ?? throw new InvalidOperationException($"Neon returned no connection details for tenant '{tenantId}'s project '{created.Project.Id}'.");
        var p = uri.ConnectionParameters;
        var pooledHost = string.IsNullOrEmpty(p.PoolerHost) ? p.Host : p.PoolerHost;
        return new ProjectDetails(
            created.Project.Id,
            created.Project.RegionId,
            created.Branch.Id,
            endpoint?.Id,
            created.Databases.FirstOrDefault()?.Name ?? request.DatabaseName ?? _options.DefaultDatabaseName,
            created.Roles.FirstOrDefault(r => string.Equals(r.Name, role, StringComparison.Ordinal))?.Name ?? created.Roles.FirstOrDefault()?.Name ?? role,
            _protector.Protect(tenantId, ConnectionSecretKind.Pooled, TenantConnectionStrings.Build(pooledHost, p.Database, p.Role, p.Password, _options.SslMode)),
            _protector.Protect(tenantId, ConnectionSecretKind.Direct, TenantConnectionStrings.Build(p.Host, p.Database, p.Role, p.Password, _options.SslMode)),
            created.Operations.ToList());
    }

    /// <summary>The create call: names, region, version and, from <see cref="NeonPlanSettings"/>, what the settings manage.</summary>
    private ProjectCreateRequest BuildCreateRequest(string projectName, TenantProvisionRequest request, TenantPlanSettings? settings)
    {
        var project = new ProjectCreateRequestProject
        {
            Name = projectName,
            RegionId = request.Region,
            PgVersion = request.PostgresVersion,
            OrgId = _apiOptions.CurrentValue.OrgId,
            Branch = new ProjectCreateRequestProjectBranch
            {
                DatabaseName = request.DatabaseName ?? _options.DefaultDatabaseName,
                RoleName = request.RoleName ?? _options.DefaultRoleName,
            },
        };
        if (settings is not null)
        {
            NeonPlanSettings.ApplyTo(project, settings);
        }

        return new ProjectCreateRequest { Project = project };
    }

    [DebuggerDisplay("{ProjectId}")]
    private sealed record ProjectDetails(
        string ProjectId,
        string? Region,
        string BranchId,
        string? EndpointId,
        string DatabaseName,
        string RoleName,
        byte[] PooledSecret,
        byte[] DirectSecret,
        IReadOnlyList<Operation> Operations);
}
