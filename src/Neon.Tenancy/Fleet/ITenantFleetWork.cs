namespace Neon.Tenancy;

/// <summary>
/// One unit of work the fleet engine (<see cref="ITenantFleet"/>) runs per tenant, for example a schema migration
/// (<see cref="ITenantMigrations"/>). It must be safe to run again on a tenant it already ran on: after a crash, or
/// when a lease expired under a slow worker, the engine runs a tenant again.
/// </summary>
public interface ITenantFleetWork
{
    /// <summary>The work's name, recorded with the run (1 to 128 characters, for people: <c>migrate to 12</c>).</summary>
    string Name { get; }

    /// <summary>
    /// What the work would do to a tenant, decided from its catalog record alone: no connection to the tenant, no Neon
    /// call. Only tenants that serve (<see cref="TenantState.Ready"/>) are asked; the others are skipped by the engine.
    /// </summary>
    /// <param name="tenant">The tenant's record.</param>
    /// <returns>Run it, skip it (nothing to do) or defer it, with a description for the plan.</returns>
    FleetTenantDecision Plan(TenantRecord tenant);

    /// <summary>
    /// Does the work on one tenant. Throw to fail it: an exception whose <c>IsTransient</c> property is true (the Neon
    /// API's, Npgsql's) or a <see cref="TimeoutException"/> is retried with backoff up to
    /// <see cref="FleetRunOptions.MaxAttempts"/>; any other parks the tenant with its error.
    /// </summary>
    /// <param name="context">The tenant and its run.</param>
    /// <param name="cancellationToken">Cancelled when the tenant's timeout passes or the engine is disposed.</param>
    /// <returns><see cref="FleetTenantOutcome.Succeeded"/>, or <see cref="FleetTenantOutcome.Deferred"/> when the work left the tenant for later (for example to its first connection).</returns>
    Task<FleetTenantOutcome> ExecuteAsync(FleetTenantContext context, CancellationToken cancellationToken);
}

/// <summary>What <see cref="ITenantFleetWork.Plan"/> decides for one tenant.</summary>
public enum FleetTenantAction
{
    /// <summary>The work runs on the tenant.</summary>
    Run = 0,

    /// <summary>Nothing to do (for example already at the target version).</summary>
    Skip = 1,

    /// <summary>The work is left for later (for example to the tenant's first connection); recorded as deferred.</summary>
    Defer = 2,
}

/// <summary>How one work run on one tenant ended, when it did not fail.</summary>
public enum FleetTenantOutcome
{
    /// <summary>Done.</summary>
    Succeeded = 0,

    /// <summary>Left for later (for example to the tenant's first connection).</summary>
    Deferred = 1,
}

/// <summary>What <see cref="ITenantFleetWork.Plan"/> decides for one tenant, and why.</summary>
/// <param name="Action">Run, skip or defer.</param>
/// <param name="Description">What would be done, or why not, for people (<c>11 -> 12</c>, <c>at version 12</c>); never a secret.</param>
public readonly record struct FleetTenantDecision(FleetTenantAction Action, string? Description = null)
{
    /// <summary>Run the work, described.</summary>
    /// <param name="description">What would be done.</param>
    /// <returns>The decision.</returns>
    public static FleetTenantDecision Run(string? description = null) => new(FleetTenantAction.Run, description);

    /// <summary>Skip the tenant: nothing to do.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static FleetTenantDecision Skip(string? reason = null) => new(FleetTenantAction.Skip, reason);

    /// <summary>Defer the tenant.</summary>
    /// <param name="reason">Why, and to when.</param>
    /// <returns>The decision.</returns>
    public static FleetTenantDecision Defer(string? reason = null) => new(FleetTenantAction.Defer, reason);
}
