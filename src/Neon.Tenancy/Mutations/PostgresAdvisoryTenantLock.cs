namespace Neon.Tenancy;

/// <summary>
/// Exclusion per tenant across every process sharing a PostgreSQL catalog: a session advisory lock
/// (<see cref="PostgresAdvisoryLocks"/>: a dedicated unpooled connection, keyed by a hash of the catalog schema and the
/// tenant id). A crashed holder's connection closes and PostgreSQL releases its lock, so a dead attempt never blocks the
/// next one (no lease to expire). Inside one process callers first queue on an in-process lock, so each process holds
/// at most one connection per tenant.
/// </summary>
internal sealed class PostgresAdvisoryTenantLock(PostgresAdvisoryLocks locks) : ITenantLock
{
    // The scope is part of the key: instances of earlier versions lock "provision" keys too, so it stays.
    private const string Scope = "provision";
    private readonly KeyedAsyncLock _local = new();

    public async ValueTask<IAsyncDisposable> AcquireAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        var local = await _local.AcquireAsync(tenantId.Value, cancellationToken).ConfigureAwait(false);
        return await locks.AcquireAsync(Key(tenantId), local, cancellationToken).ConfigureAwait(false);
    }

    internal long Key(TenantId tenantId) => locks.Key(Scope, tenantId.Value);
}
