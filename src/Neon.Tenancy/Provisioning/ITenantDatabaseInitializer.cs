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
