namespace Neon.Tenancy;

/// <summary>
/// A tenant's schema migration failed. The inner exception is the migrator's (or the checkpoint's); the message never
/// carries a connection string; <see cref="NeonTenancyException.IsTransient"/> is the cause's.
/// </summary>
public sealed class TenantMigrationException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="fromVersion">The version recorded before.</param>
    /// <param name="targetVersion">The version aimed at.</param>
    /// <param name="restored">Whether the tenant was restored to the checkpoint taken before the migration.</param>
    /// <param name="innerException">What failed.</param>
    public TenantMigrationException(TenantId tenantId, int fromVersion, int targetVersion, bool restored, Exception innerException)
        : base($"Migrating tenant '{tenantId}' from schema version {fromVersion} to {targetVersion} failed ({innerException.GetType().Name}); "
            + (restored ? "it was restored to the checkpoint taken before the migration." : "it was not restored (no checkpoint was taken, or the restore failed: see the logs)."),
            innerException, TransientFailures.IsTransient(innerException))
    {
        TenantId = tenantId;
        FromVersion = fromVersion;
        TargetVersion = targetVersion;
        Restored = restored;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The version recorded before the migration.</summary>
    public int FromVersion { get; }

    /// <summary>The version aimed at.</summary>
    public int TargetVersion { get; }

    /// <summary>Whether the tenant was restored to the checkpoint taken before the migration (schema and data as they were).</summary>
    public bool Restored { get; }
}
