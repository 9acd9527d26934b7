namespace Neon.Tenancy;

/// <summary>
/// Mutual exclusion per tenant for every change the SDK makes (the kit's <see cref="TenantMutator.RunAsync{T}"/>).
/// A registered service chosen by the catalog registration: <c>UsePostgresCatalog()</c> registers
/// <see cref="PostgresAdvisoryTenantLock"/> (exclusion across every instance sharing the catalog), any other catalog
/// gets <see cref="InProcessTenantLock"/>. Resolve it; never build a second one.
/// </summary>
internal interface ITenantLock
{
    /// <summary>Waits until this caller holds the lock for <paramref name="tenantId"/>; dispose the result to release it.</summary>
    ValueTask<IAsyncDisposable> AcquireAsync(TenantId tenantId, CancellationToken cancellationToken);
}
