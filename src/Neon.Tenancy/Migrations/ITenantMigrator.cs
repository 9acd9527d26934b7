namespace Neon.Tenancy;

/// <summary>
/// Migrates one tenant's database to the application's schema: the seam between Neon.Tenancy and the migration tool a
/// team already uses (EF Core migrations: <c>Neon.Tenancy.EntityFrameworkCore</c>; SQL scripts: <c>Neon.Tenancy.DbUp</c>).
/// Register one with <c>AddTenantMigrator</c>; <see cref="ITenantMigrations"/> runs it over the fleet, new tenants are
/// provisioned through it, and deferred tenants are migrated on their first connection.
/// </summary>
/// <remarks>
/// Versions are whole numbers: how many of the tool's migrations are applied (0 = none). The tool's own history table in
/// the tenant database is the truth; the catalog's <see cref="TenantRecord.SchemaVersion"/> follows it after each
/// migration. So a migrator must be idempotent: run on a tenant already at the target (after a crash between the
/// migration and the catalog write), it applies nothing and returns the target.
/// </remarks>
public interface ITenantMigrator
{
    /// <summary>The schema version this build of the application wants (how many migrations it has).</summary>
    int TargetVersion { get; }

    /// <summary>
    /// Applies the migrations the tenant database lacks, up to <see cref="TargetVersion"/>, on the connection(s) from
    /// <see cref="TenantMigrationContext.OpenConnectionAsync"/>. Each migration should commit with its history row
    /// (PostgreSQL runs DDL in transactions), so that a crash leaves whole migrations only.
    /// </summary>
    /// <param name="context">The tenant, its recorded version and its database.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>The version the tenant database is at afterwards.</returns>
    Task<int> MigrateAsync(TenantMigrationContext context, CancellationToken cancellationToken);
}
