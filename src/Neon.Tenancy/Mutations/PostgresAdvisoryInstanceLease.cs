namespace Neon.Tenancy;

/// <summary>
/// Leases across every process sharing a PostgreSQL catalog: <c>pg_try_advisory_lock</c> on a dedicated unpooled
/// connection (<see cref="PostgresAdvisoryLocks"/>, shared with <see cref="PostgresAdvisoryTenantLock"/>), held until the
/// lease is disposed or the holder's session ends. A lease held inside this process is refused without a connection.
/// </summary>
internal sealed class PostgresAdvisoryInstanceLease(PostgresAdvisoryLocks locks) : IInstanceLease
{
    private const string Scope = "lease";
    private readonly KeyedAsyncLock _local = new();

    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_local.TryAcquire(name) is not { } local)
        {
            return null;
        }

        return await locks.TryAcquireAsync(locks.Key(Scope, name), local, cancellationToken).ConfigureAwait(false);
    }

    internal long Key(string name) => locks.Key(Scope, name);
}
