namespace Neon.Tenancy;

/// <summary>
/// "One instance at a time" for background work every application instance runs (the checkpoint scheduler; later the
/// warm pool's replenisher and the fleet engine): a named lease that at most one holder has, across every instance
/// sharing the catalog. A registered service chosen by the catalog registration, like <see cref="ITenantLock"/>:
/// <c>UsePostgresCatalog()</c> registers <see cref="PostgresAdvisoryInstanceLease"/>, any other catalog gets
/// <see cref="InProcessInstanceLease"/>. Resolve it; never build a second one.
/// </summary>
/// <remarks>
/// A lease never waits: work that finds it held elsewhere skips its turn. A holder whose process dies loses the lease
/// (PostgreSQL ends its session); the holder is not told when that happens, so work under a lease must stay safe to
/// repeat (a rare second run), as the scheduler's is.
/// </remarks>
internal interface IInstanceLease
{
    /// <summary>Takes the lease <paramref name="name"/> if no one holds it; dispose the result to release it.</summary>
    /// <returns>The held lease, or <see langword="null"/> when another holder (this or another instance) has it.</returns>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}
