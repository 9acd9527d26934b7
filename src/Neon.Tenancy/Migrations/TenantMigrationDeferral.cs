namespace Neon.Tenancy;

/// <summary>Which tenants a migration run leaves to their first connection (<see cref="TenantMigrationOptions.Deferral"/>).</summary>
public enum TenantMigrationDeferral
{
    /// <summary>None: every tenant behind the target is migrated by the run (eager).</summary>
    None = 0,

    /// <summary>Tenants whose compute is idle (scaled to zero) when the run reaches them: one Neon call per tenant tells; they are not woken.</summary>
    Idle = 1,

    /// <summary>Every tenant: the run only records them; each is migrated on its first connection.</summary>
    All = 2,
}
