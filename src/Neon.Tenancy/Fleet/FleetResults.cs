namespace Neon.Tenancy;

/// <summary>Where a fleet run stands.</summary>
public enum FleetRunState
{
    /// <summary>Tenants are left to work on (or being worked on).</summary>
    Running = 0,

    /// <summary>Every tenant of the run has an outcome.</summary>
    Completed = 1,

    /// <summary>The failure threshold (<see cref="FleetRunOptions.MaxParked"/>) stopped the run; the tenants not started stay pending.</summary>
    Halted = 2,

    /// <summary>No tenant had anything to do: nothing was recorded.</summary>
    NothingToDo = 3,
}

/// <summary>Where one tenant of a fleet run stands.</summary>
public enum FleetTenantState
{
    /// <summary>Not started, or waiting for its next attempt after a transient failure.</summary>
    Pending = 0,

    /// <summary>A worker holds it.</summary>
    Running = 1,

    /// <summary>Done.</summary>
    Succeeded = 2,

    /// <summary>Failed and left aside with its error (its attempts spent, or a failure that is not transient).</summary>
    Parked = 3,

    /// <summary>Not worked on, with the reason: it does not serve, or had nothing to do.</summary>
    Skipped = 4,

    /// <summary>Left for later (for example to its first connection).</summary>
    Deferred = 5,
}

/// <summary>A snapshot of a fleet run's progress (the whole run's, every instance's work counted).</summary>
public sealed record FleetProgress
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>How many tenants the run has.</summary>
    public int Total { get; init; }

    /// <summary>Not started yet, or waiting for a retry.</summary>
    public int Pending { get; init; }

    /// <summary>Being worked on (by any instance).</summary>
    public int Running { get; init; }

    /// <summary>Done.</summary>
    public int Succeeded { get; init; }

    /// <summary>Parked with their error.</summary>
    public int Parked { get; init; }

    /// <summary>Skipped, with the reason.</summary>
    public int Skipped { get; init; }

    /// <summary>Deferred.</summary>
    public int Deferred { get; init; }

    /// <summary>How many of the pending tenants have failed before (waiting for their next attempt).</summary>
    public int Retrying { get; init; }

    /// <summary>The wave being worked on (from 0); <see cref="Waves"/> when none is left.</summary>
    public int Wave { get; init; }

    /// <summary>How many waves the run has.</summary>
    public int Waves { get; init; }

    /// <summary>Tenants with an outcome per minute, over this call's time so far (0 before the first).</summary>
    public double TenantsPerMinute { get; init; }

    /// <summary>The time left at <see cref="TenantsPerMinute"/>; null before the first outcome.</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Tenants with an outcome (succeeded, parked, skipped or deferred).</summary>
    public int Done => Succeeded + Parked + Skipped + Deferred;
}

/// <summary>One tenant's entry in a fleet run's ledger.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Wave">Its wave (from 0).</param>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">How many attempts were started.</param>
/// <param name="Description">What the plan said would be done, or why it was skipped or deferred.</param>
/// <param name="Error">The last failure, in short (the exception type and message, never a secret); null when none.</param>
/// <param name="StartedAt">When its first attempt started.</param>
/// <param name="EndedAt">When it got its outcome.</param>
public sealed record FleetTenantEntry(
    TenantId TenantId,
    int Wave,
    FleetTenantState State,
    int Attempts,
    string? Description,
    string? Error,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt);

/// <summary>The outcome of <see cref="ITenantFleet.RunAsync"/>, or a recorded run (<see cref="ITenantFleet.GetRunAsync"/>).</summary>
public sealed record FleetRunResult
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The work's name.</summary>
    public required string Work { get; init; }

    /// <summary>Where the run stands. <see cref="FleetRunState.Running"/> after a cancelled call, or while other instances still work on it.</summary>
    public FleetRunState State { get; init; }

    /// <summary>Why the run halted (null otherwise).</summary>
    public string? HaltReason { get; init; }

    /// <summary>The final counts.</summary>
    public required FleetProgress Progress { get; init; }

    /// <summary>The parallelism this call used (0 for a recorded run read back).</summary>
    public int Parallelism { get; init; }

    /// <summary>What bounded <see cref="Parallelism"/>: <c>requested</c> or <c>connection budget</c>.</summary>
    public string? ParallelismBound { get; init; }

    /// <summary>Every tenant's entry, ordered by wave and tenant id (empty for <see cref="FleetRunState.NothingToDo"/>).</summary>
    public IReadOnlyList<FleetTenantEntry> Tenants { get; init; } = [];

    /// <summary>How long this call took.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The dry run of a fleet run (<see cref="ITenantFleet.PlanAsync"/>): the tenants, their waves and what would be done to each.</summary>
public sealed record FleetPlan
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The work's name.</summary>
    public required string Work { get; init; }

    /// <summary>Whether the plan is a recorded run's (its ledger), rather than a new run's.</summary>
    public bool Recorded { get; init; }

    /// <summary>How many waves.</summary>
    public int Waves { get; init; }

    /// <summary>Every selected tenant: <see cref="FleetTenantState.Pending"/> (would be worked on), skipped or deferred with the reason; ordered by wave and tenant id.</summary>
    public IReadOnlyList<FleetTenantEntry> Tenants { get; init; } = [];

    /// <summary>How many tenants would be worked on.</summary>
    public int ToRun => Tenants.Count(t => t.State is FleetTenantState.Pending or FleetTenantState.Running);
}
