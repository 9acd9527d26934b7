namespace Neon.Tenancy;

/// <summary>
/// The warm pool of ready tenant projects (<see cref="WarmPoolOptions"/>): what it holds, and a replenishing pass on
/// demand. <see cref="ITenantDatabaseProvider.ProvisionAsync"/> claims from it by itself; a hosted service replenishes
/// it every <see cref="WarmPoolOptions.ReplenishInterval"/> on one instance at a time.
/// </summary>
public interface ITenantWarmPool
{
    /// <summary>
    /// Reads the pools from the catalog: per region and plan class, the ready projects and those on their way. Empty when
    /// the pool is off and the registered catalog cannot hold one.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per configured pool (and per pool that still has projects but is no longer configured).</returns>
    Task<IReadOnlyList<WarmPoolStatus>> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one replenishing pass now, unless another instance is running one: finishes or cleans up what a crash left
    /// (claims already done, half-created projects), recycles projects past <see cref="WarmPoolOptions.MaxAge"/> or no
    /// longer configured, migrates ready projects to the current schema version, and creates what each pool lacks.
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancels the pass: no more work starts; a project it leaves half created or half migrated is recycled or migrated
    /// again by a pass once it has been so for 10 minutes.
    /// </param>
    /// <returns>What the pass did; <see cref="WarmPoolReplenishResult.Ran"/> is <see langword="false"/> when another instance holds the replenisher.</returns>
    Task<WarmPoolReplenishResult> ReplenishAsync(CancellationToken cancellationToken = default);
}

/// <summary>One pool: a region and a plan class.</summary>
/// <param name="Region">The Neon region id; <see langword="null"/> for sign-ups without a region.</param>
/// <param name="PlanClass">The plan class (its first plan's name); empty without plans.</param>
/// <param name="TargetSize">The configured size (0 for a pool no longer configured).</param>
/// <param name="Ready">Projects ready to be claimed (at the current schema version).</param>
/// <param name="Pending">Projects being created or migrated, or ready at an older schema version.</param>
public sealed record WarmPoolStatus(string? Region, string PlanClass, int TargetSize, int Ready, int Pending);

/// <summary>What one replenishing pass did (see <see cref="ITenantWarmPool.ReplenishAsync"/>).</summary>
/// <param name="Ran">Whether this instance ran the pass (another may hold the replenisher).</param>
/// <param name="Created">Projects created and made ready.</param>
/// <param name="Migrated">Ready projects migrated to the current schema version.</param>
/// <param name="Recycled">Projects deleted (too old, no longer configured, or failed).</param>
/// <param name="Failed">Creations or migrations that failed (their projects recycled; the next pass tries again).</param>
/// <param name="Pools">The pools after the pass.</param>
public sealed record WarmPoolReplenishResult(bool Ran, int Created, int Migrated, int Recycled, int Failed, IReadOnlyList<WarmPoolStatus> Pools);
