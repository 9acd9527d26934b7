namespace Neon.Tenancy;

/// <summary>
/// Optional user code that prepares a new tenant database (for example creates the schema) after its project is ready
/// and before the tenant is marked ready. Register one in DI; <see cref="ITenantDatabaseProvider"/> uses it if present.
/// </summary>
/// <remarks>
/// It must be idempotent: when it throws, the tenant stays <see cref="TenantState.Failed"/> and the next
/// <see cref="ITenantDatabaseProvider.ProvisionAsync"/> runs it again.
/// </remarks>
public interface ITenantDatabaseInitializer
{
    /// <summary>Prepares the tenant database.</summary>
    /// <param name="context">The tenant, its direct connection string and the schema version recorded so far.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schema version now applied, recorded in <see cref="TenantRecord.SchemaVersion"/>.</returns>
    Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken);
}

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
