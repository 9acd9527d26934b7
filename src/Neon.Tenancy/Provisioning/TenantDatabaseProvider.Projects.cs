using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>The tenant's Neon project found by its deterministic name (adoption); creating one is <see cref="TenantProjectSetup"/>'s.</summary>
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
    private async Task<TenantProjectDetails?> FindProjectAsync(TenantId tenantId, string projectName, TenantProvisionRequest request, CancellationToken cancellationToken)
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
        return new TenantProjectDetails(project.Id, project.RegionId, branch.Id, endpointId, database, role, pooled, direct, running);
    }
}
