namespace Neon.Tenancy;

/// <summary>In-process leases: enough when the catalog is not shared between processes (the in-memory catalog).</summary>
internal sealed class InProcessInstanceLease : IInstanceLease
{
    private readonly KeyedAsyncLock _leases = new();

    public ValueTask<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_leases.TryAcquire(name));
    }
}
