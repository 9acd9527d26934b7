namespace Neon.Tenancy;

/// <summary>
/// Schema migrations of every tenant, on the fleet engine (<see cref="ITenantFleet"/>), through the registered
/// <see cref="ITenantMigrator"/>. Each tenant is migrated under its lock on a direct connection; before it, a checkpoint
/// is taken (<see cref="TenantMigrationOptions.Checkpoint"/>), and when its migration fails the tenant is restored to
/// that checkpoint (schema and data as they were before it) and parked with the error, while the others go on.
/// </summary>
/// <remarks>
/// <para>A deploy with nothing to migrate reads the catalog once: every tenant's <see cref="TenantRecord.SchemaVersion"/>
/// is at the target, so no run is recorded, no tenant is connected to and Neon is not called.</para>
/// <para>Idle tenants need not be woken: with <see cref="TenantMigrationOptions.Deferral"/> a tenant is left to its first
/// connection, where the connection factory migrates it (once, however many first opens wait) before handing out
/// connections.</para>
/// <para>A restore puts the tenant back to the checkpoint: writes made to it between the checkpoint and the failure are
/// undone with the migration. A migration that fails inside its own transaction changed nothing, and PostgreSQL runs DDL
/// in transactions; the restore is what undoes the migrations of a run that committed before a later one failed.</para>
/// </remarks>
public interface ITenantMigrations
{
    /// <summary>The registered migrator's target version.</summary>
    int TargetVersion { get; }

    /// <summary>The dry run of <see cref="MigrateAsync"/>: which tenants would be migrated from which version, in which wave; nothing changes.</summary>
    /// <param name="options">The run; null for <c>schema-v{TargetVersion}</c> with the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    Task<FleetPlan> PlanAsync(FleetRunOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Migrates every selected tenant behind <see cref="TargetVersion"/> (or continues the recorded run of the same id).
    /// Tenants at the target are skipped; tenants that do not serve are skipped with the reason; deferred tenants are
    /// reported as deferred.
    /// </summary>
    /// <param name="options">The run; null for <c>schema-v{TargetVersion}</c> with the defaults.</param>
    /// <param name="progress">Receives progress snapshots; may be null.</param>
    /// <param name="cancellationToken">Stops starting new tenants (running ones finish or are restored).</param>
    /// <returns>The run's outcome.</returns>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    Task<FleetRunResult> MigrateAsync(FleetRunOptions? options = null, IProgress<FleetProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Migrates one tenant now (checkpoint, migration, restore on failure), whatever its deferral.</summary>
    /// <param name="tenantId">The tenant (ready).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant's record at its new version.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not ready, or has no direct connection secret (nothing was done).</exception>
    /// <exception cref="TenantMigrationException">The migration failed; <see cref="TenantMigrationException.Restored"/> says whether the tenant was restored to its checkpoint.</exception>
    Task<TenantRecord> MigrateTenantAsync(TenantId tenantId, CancellationToken cancellationToken = default);
}
