using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>The orphan sweep: projects with this application's prefix that no tenant owns, and projects of failed tenants.</summary>
internal sealed partial class TenantDatabaseProvider
{
    public async Task<IReadOnlyList<TenantOrphanProject>> SweepOrphansAsync(bool deleteOrphans = false, CancellationToken cancellationToken = default)
    {
        // Projects first, catalog second: a tenant is reserved (with its project name) before its project is created,
        // so every project listed here belongs to a record the later catalog read sees. The other order would report
        // (and could delete) the project of a tenant that signed up in between.
        var projects = new List<ProjectListItem>();
        await foreach (var project in _api.Projects.ListAllProjectsAsync(search: _prefix.Length == 0 ? null : _prefix, orgId: _apiOptions.CurrentValue.OrgId,
            pageSize: 400, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (project.Name.StartsWith(_prefix, StringComparison.Ordinal))
            {
                projects.Add(project);
            }
        }

        var byProjectId = new Dictionary<string, TenantRecord>(StringComparer.Ordinal);
        var byProjectName = new Dictionary<string, TenantRecord>(StringComparer.Ordinal);
        await foreach (var record in _catalog.ListAllAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (record.ProjectId is not null)
            {
                byProjectId[record.ProjectId] = record;
            }

            if (record.ProjectName is not null)
            {
                byProjectName[record.ProjectName] = record;
            }
        }

        // The warm pool's projects are not tenants' but not orphans either (read after the projects, for the same reason:
        // a pool entry is recorded before its project is created).
        var pooled = _pool is null ? null : await _pool.ProjectNamesAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<TenantOrphanProject>();
        foreach (var project in projects)
        {
            if (pooled?.Contains(project.Name) == true)
            {
                continue;
            }

            if (byProjectId.TryGetValue(project.Id, out var owner) || byProjectName.TryGetValue(project.Name, out owner))
            {
                // Known to the catalog (a tenant still provisioning is known by its project name), unless the tenant is
                // deleted and this live project is not the one its deletion recorded.
                if (owner.State == TenantState.Deleted && !string.Equals(owner.ProjectId, project.Id, StringComparison.Ordinal))
                {
                    owner = null;
                }
                else if (owner.State == TenantState.Failed)
                {
                    found.Add(new TenantOrphanProject(project.Id, project.Name, project.CreatedAt, TenantOrphanReason.TenantFailed, owner.TenantId, Deleted: false));
                    ProvisioningLog.Orphan(_logger, project.Id, project.Name, TenantOrphanReason.TenantFailed, false);
                }

                if (owner is not null)
                {
                    continue;
                }
            }

            var deleted = false;
            if (deleteOrphans)
            {
                try
                {
                    await _kit.SendAsync(project.Id, t => _api.Projects.DeleteProjectAsync(project.Id, t), cancellationToken).ConfigureAwait(false);
                }
                catch (NeonNotFoundException)
                {
                    // Gone already.
                }

                deleted = true;
            }

            found.Add(new TenantOrphanProject(project.Id, project.Name, project.CreatedAt, TenantOrphanReason.NotInCatalog, null, deleted));
            ProvisioningLog.Orphan(_logger, project.Id, project.Name, TenantOrphanReason.NotInCatalog, deleted);
        }

        return found;
    }
}
