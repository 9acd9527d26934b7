namespace Neon.Tenancy;

/// <summary>In-process exclusion per tenant: enough when the catalog is not shared between processes (the in-memory catalog).</summary>
internal sealed class InProcessTenantLock : ITenantLock
{
    private readonly KeyedAsyncLock _locks = new();

    public ValueTask<IAsyncDisposable> AcquireAsync(TenantId tenantId, CancellationToken cancellationToken) =>
        _locks.AcquireAsync(tenantId.Value, cancellationToken);
}
