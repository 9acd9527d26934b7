namespace Neon.Tenancy;

/// <summary>Why <see cref="ITenantDatabaseProvider.SweepOrphansAsync"/> reported a project.</summary>
public enum TenantOrphanReason
{
    /// <summary>No tenant in the catalog has this project id or project name.</summary>
    NotInCatalog = 1,

    /// <summary>The project belongs to a tenant in <see cref="TenantState.Failed"/>.</summary>
    TenantFailed = 2,
}
