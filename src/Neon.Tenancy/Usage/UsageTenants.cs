namespace Neon.Tenancy;

/// <summary>
/// The tenants a usage read covers, from the catalog: those with a Neon project (ordered by tenant id), which are read,
/// and those without one yet, which are reported rather than dropped.
/// </summary>
/// <param name="WithProject">Tenants with a project, ordered by tenant id.</param>
/// <param name="WithoutProject">Tenants that have no project yet, ordered by tenant id.</param>
internal sealed record UsageTenants(IReadOnlyList<TenantRecord> WithProject, IReadOnlyList<TenantId> WithoutProject)
{
    /// <summary>The operation a <see cref="TenantStateException"/> names when a tenant without a project is asked for usage.</summary>
    public const string ReadUsageOperation = "read usage";

    /// <summary>Every tenant of the catalog that is not being deleted or deleted, streamed page by page.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The fleet.</returns>
    public static async Task<UsageTenants> ListFleetAsync(ITenantCatalog catalog, CancellationToken cancellationToken)
    {
        var (withProject, withoutProject) = (new List<TenantRecord>(), new List<TenantId>());
        await foreach (var record in catalog.ListAllAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (record.State is TenantState.Deleting or TenantState.Deleted)
            {
                continue;
            }

            Sort(record, withProject, withoutProject);
        }

        return new UsageTenants(withProject, withoutProject);
    }

    /// <summary>The listed tenants (each once, ordered by tenant id), or the whole fleet for <see langword="null"/>.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="tenants">The tenants, or null for every tenant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The tenants.</returns>
    /// <exception cref="TenantNotFoundException">A listed tenant is not in the catalog.</exception>
    public static async Task<UsageTenants> ResolveAsync(ITenantCatalog catalog, IReadOnlyList<TenantId>? tenants, CancellationToken cancellationToken)
    {
        if (tenants is null)
        {
            return await ListFleetAsync(catalog, cancellationToken).ConfigureAwait(false);
        }

        var (withProject, withoutProject) = (new List<TenantRecord>(), new List<TenantId>());
        foreach (var tenantId in tenants.Distinct().Order())
        {
            var record = await catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false) ?? throw new TenantNotFoundException(tenantId);
            Sort(record, withProject, withoutProject);
        }

        return new UsageTenants(withProject, withoutProject);
    }

    /// <summary>The tenant's record, which names its project.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant has no Neon project yet (<see cref="TenantStateException.Operation"/> is <c>read usage</c>).</exception>
    public static async Task<TenantRecord> RequireProjectAsync(ITenantCatalog catalog, TenantId tenantId, CancellationToken cancellationToken)
    {
        TenantId.ThrowIfDefault(tenantId, nameof(tenantId));
        var record = await catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false) ?? throw new TenantNotFoundException(tenantId);
        return string.IsNullOrEmpty(record.ProjectId) ? throw new TenantStateException(tenantId, record.State, ReadUsageOperation, "it has no Neon project yet, so no usage to read") : record;
    }

    private static void Sort(TenantRecord record, List<TenantRecord> withProject, List<TenantId> withoutProject)
    {
        if (string.IsNullOrEmpty(record.ProjectId))
        {
            withoutProject.Add(record.TenantId);
        }
        else
        {
            withProject.Add(record);
        }
    }
}
