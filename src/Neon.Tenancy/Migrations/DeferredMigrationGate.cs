using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Deferred migrations on the first connection: a ready tenant behind the registered migrator's target is migrated
/// (guarded like any migration) before its data source is built; a tenant whose migration to this target failed is
/// served at its version (no retry per connection). The migrations service is resolved at the first use: it depends on
/// the connection factory this gate is part of.
/// </summary>
internal sealed class DeferredMigrationGate(IServiceProvider services, IOptions<TenantMigrationOptions> options, ILogger<DeferredMigrationGate>? logger = null)
    : ITenantConnectionGate
{
    private readonly ILogger _logger = logger ?? NullLogger<DeferredMigrationGate>.Instance;
    private readonly Lazy<(TenantMigrations Migrations, ITenantMigrator? Migrator)> _resolved = new(() =>
        (services.GetRequiredService<TenantMigrations>(), services.GetService<ITenantMigrator>()));

    public async ValueTask<TenantRecord> BeforeFirstOpenAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnFirstConnection || record.State != TenantState.Ready)
        {
            return record;
        }

        var (migrations, migrator) = _resolved.Value;
        if (migrator is null || record.SchemaVersion >= migrator.TargetVersion
            || record.FailureReason?.StartsWith(TenantMigrations.Operation(migrator.TargetVersion) + ":", StringComparison.Ordinal) == true)
        {
            return record;
        }

        try
        {
            MigrationLog.MigratingOnFirstConnection(_logger, record.TenantId.Value, record.SchemaVersion, migrator.TargetVersion);
            return await migrations.MigrateTenantAsync(record.TenantId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TenantMigrationException or TenantStateException)
        {
            // A failed migration is logged by it (the tenant, restored or as it was, is served at its version); a tenant
            // the migration may not touch (no direct secret, a state changed meanwhile) is served as the catalog has it.
            return await migrations.RereadAsync(record.TenantId, cancellationToken).ConfigureAwait(false) ?? record;
        }
    }
}
