namespace Neon.Tenancy;

/// <summary>What <see cref="ITenantDatabaseInitializer"/> gets.</summary>
public sealed class TenantInitializationContext
{
    internal TenantInitializationContext(TenantId tenantId, string directConnectionString, int schemaVersion)
    {
        TenantId = tenantId;
        DirectConnectionString = directConnectionString;
        SchemaVersion = schemaVersion;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The direct (not pooled) Npgsql connection string, as the database owner. A secret: never log it.</summary>
    public string DirectConnectionString { get; }

    /// <summary>The schema version recorded before this run (0 for a new tenant).</summary>
    public int SchemaVersion { get; }

    /// <inheritdoc/>
    public override string ToString() => $"TenantInitializationContext {{ TenantId = {TenantId}, SchemaVersion = {SchemaVersion} }}";
}
