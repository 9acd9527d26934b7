namespace Neon.Tenancy;

/// <summary>
/// The fleet engine: runs one unit of work (<see cref="ITenantFleetWork"/>) over a set of tenants, a canary wave first
/// and then the rest in waves, with a bounded parallelism, per-tenant timeouts, retries of transient failures and a
/// failure threshold that halts the run. Failed tenants are parked with their error while the others go on; tenants
/// that are not ready are skipped with the reason.
/// </summary>
/// <remarks>
/// <para><b>Durable.</b> A run is identified by its <see cref="FleetRunOptions.RunId"/> and recorded in a ledger beside
/// the catalog (per run, and per tenant: state, attempts, error, start, end). Calling <see cref="RunAsync"/> again with
/// the same id continues the run where a stopped or crashed call left it; any number of application instances may work
/// the same run at once: each tenant is leased to one worker at a time through the catalog database (row leases), and a
/// lost instance's tenants are taken over once their lease expires. With <c>UsePostgresCatalog()</c> the ledger is
/// tables in the catalog's schema; with any other catalog it lives in the process only.</para>
/// <para><b>Nothing to do costs one catalog read.</b> What the work would do to each tenant is decided from its catalog
/// record (<see cref="ITenantFleetWork.Plan"/>); a run in which no tenant has anything to do reads the catalog, writes no
/// ledger, connects to no tenant and calls no Neon API.</para>
/// </remarks>
public interface ITenantFleet
{
    /// <summary>
    /// The dry run: which tenants a run would touch, in which wave, and what would be done to each, with no change
    /// anywhere. For a run already recorded, the plan is its ledger's.
    /// </summary>
    /// <param name="work">The work.</param>
    /// <param name="options">The run's options (its id, selection and waves).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    Task<FleetPlan> PlanAsync(ITenantFleetWork work, FleetRunOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="work"/> over the fleet, or continues the recorded run of the same id, until every tenant of
    /// the run has an outcome, the failure threshold halts it, or <paramref name="cancellationToken"/> is cancelled.
    /// Cancellation stops starting new tenants and lets running ones finish (each within its timeout); the run stays
    /// recorded, and the next call continues it.
    /// </summary>
    /// <param name="work">The work: the same work (by <see cref="ITenantFleetWork.Name"/>) as the recorded run of this id, if any.</param>
    /// <param name="options">The run's options.</param>
    /// <param name="progress">Receives a snapshot after each tenant's outcome and at least every second while tenants run; may be null.</param>
    /// <param name="cancellationToken">Stops starting new tenants.</param>
    /// <returns>The run's outcome, counted over the whole run (every instance's work).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or the run id is recorded for another work (the message names both).</exception>
    Task<FleetRunResult> RunAsync(ITenantFleetWork work, FleetRunOptions options, IProgress<FleetProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>A recorded run, from the ledger: its state, counts and every tenant's entry.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The run, or <see langword="null"/> when no run of this id is recorded.</returns>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is not a valid run id.</exception>
    Task<FleetRunResult?> GetRunAsync(string runId, CancellationToken cancellationToken = default);
}
