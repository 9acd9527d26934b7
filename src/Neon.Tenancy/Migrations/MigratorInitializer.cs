namespace Neon.Tenancy;

/// <summary>
/// Provisioning through the migrator (registered by <c>AddTenantMigrator</c> when no <see cref="ITenantDatabaseInitializer"/>
/// is): a new tenant is created at the current schema version. No checkpoint: a new database has nothing to lose.
/// </summary>
internal sealed class MigratorInitializer(TenantMigrations migrations) : ITenantDatabaseInitializer
{
    public Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken) =>
        migrations.InitializeAsync(context, cancellationToken);
}
