namespace Neon.Tenancy;

/// <summary>
/// Work the connection factory's miss path runs before it builds a tenant's data source (the one place every first
/// connection of an instance passes): deferred schema migrations (<see cref="TenantMigrationOptions.MigrateOnFirstConnection"/>).
/// It runs once per miss, however many callers share it (single flight), never on a hit.
/// </summary>
internal interface ITenantConnectionGate
{
    /// <summary>Does what the tenant needs before connections are handed out; returns the record to build from (read again when it changed).</summary>
    ValueTask<TenantRecord> BeforeFirstOpenAsync(TenantRecord record, CancellationToken cancellationToken);
}
