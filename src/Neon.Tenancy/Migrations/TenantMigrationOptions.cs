using System.ComponentModel.DataAnnotations;

namespace Neon.Tenancy;

/// <summary>
/// Options of schema migrations (<see cref="ITenantMigrations"/>), bound from the <c>NeonTenancy:Migrations</c>
/// configuration section and validated at start.
/// </summary>
public sealed class TenantMigrationOptions
{
    private const string Path = NeonTenancySections.MigrationsPath + ":";

    /// <summary>
    /// Whether a checkpoint is taken before each tenant's migration, and the tenant restored to it when the migration
    /// fails. Default <see langword="true"/>. The checkpoint counts toward the plan's retention
    /// (<see cref="TenantPlan.MaxCheckpoints"/>) and expires by it.
    /// </summary>
    public bool Checkpoint { get; set; } = true;

    /// <summary>Which tenants a run leaves to their first connection. Default <see cref="TenantMigrationDeferral.None"/>.</summary>
    [EnumDataType(typeof(TenantMigrationDeferral), ErrorMessage = Path + "Deferral must be None, Idle or All.")]
    public TenantMigrationDeferral Deferral { get; set; }

    /// <summary>
    /// Whether the connection factory migrates a tenant behind the target when it first opens a connection to it (a
    /// cache miss), under the tenant's lock, before handing out connections; concurrent first opens wait for the one
    /// migration. Default <see langword="true"/>. A tenant whose migration to the target failed (parked) is not retried
    /// there: it serves at its version until a run or <see cref="ITenantMigrations.MigrateTenantAsync"/> migrates it.
    /// </summary>
    public bool MigrateOnFirstConnection { get; set; } = true;

    /// <summary>
    /// How long one tenant's migration may take, all of it: the checkpoint, the wait for the tenant's lock and the
    /// migrator. A migration that runs out of it is cancelled and restored to its checkpoint like a failed one. Default
    /// 10 minutes; 1 second to 1 day.
    /// </summary>
    [TimeSpanRange("00:00:01", "1.00:00:00", ErrorMessage = Path + "Timeout must be between {1} and {2}.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}
