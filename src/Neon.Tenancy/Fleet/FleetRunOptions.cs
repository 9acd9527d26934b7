namespace Neon.Tenancy;

/// <summary>
/// A fleet run: its id, which tenants, in which waves, how many at once, and when to give up. Checked when the run
/// starts (<see cref="ArgumentException"/> naming the option). A recorded run keeps the tenants and waves it was created
/// with; the other options apply to each call.
/// </summary>
public sealed record FleetRunOptions
{
    /// <summary>The longest run id.</summary>
    public const int MaxRunIdLength = 128;

    /// <summary>
    /// The run's id (1 to 128 characters of a-z, A-Z, 0-9, '-', '_', '.', ':'): the same id continues the recorded run.
    /// Name it after what it does, so a redeploy of the same thing continues it (<c>schema-v12</c>).
    /// </summary>
    public required string RunId { get; init; }

    /// <summary>Which tenants: every one when null.</summary>
    public FleetTenantFilter? Tenants { get; init; }

    /// <summary>How many tenants the canary wave has (0 = none, unless <see cref="CanaryShare"/> is set). Default 0; 0 to 100,000.</summary>
    public int CanaryCount { get; init; }

    /// <summary>The canary wave as a share of the run's tenants to work on (rounded up), when larger than <see cref="CanaryCount"/>. Default 0; 0 to 1.</summary>
    public double CanaryShare { get; init; }

    /// <summary>How many tenants each wave after the canary has (0 = the rest in one wave). Default 0; 0 to 1,000,000.</summary>
    public int WaveSize { get; init; }

    /// <summary>
    /// How many tenants this instance works on at once. Default 4; 1 to 256. The engine keeps it inside the connection
    /// budget (<see cref="TenantConnectionOptions.ConnectionBudget"/>: at most half of it, so the request path keeps the
    /// rest); <see cref="FleetRunResult.Parallelism"/> says what was used and what bounded it. The Neon API calls of the
    /// work share the API client's rate budget with everything else.
    /// </summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>How long one attempt on one tenant may take before it is cancelled and counted as a transient failure. Default 10 minutes; 1 second to 1 day.</summary>
    public TimeSpan TenantTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many attempts a tenant gets when its failures are transient. Default 3; 1 to 100.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The wait before the second attempt; each later one waits twice as long (at most 10 minutes). Default 5 seconds; 0 to 1 hour.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many parked tenants halt the run: once this many are parked, no tenant is started any more (running ones
    /// finish) and the run is <see cref="FleetRunState.Halted"/>. Default null: never; 1 to 1,000,000.
    /// </summary>
    public int? MaxParked { get; init; }

    /// <summary>
    /// Whether a rerun of a recorded run tries its parked tenants again (their attempts start over). Default
    /// <see langword="false"/>: a rerun continues with the tenants that have no outcome yet. A halted run is reopened by
    /// any rerun; unless its parked tenants are retried, it halts again at once when they still reach <see cref="MaxParked"/>.
    /// </summary>
    public bool RetryParked { get; init; }

    /// <summary>
    /// How long a worker's claim on a tenant lasts without renewal; a worker renews its claims every third of it, and
    /// tenants of a worker that stopped renewing (its instance died) are taken over by another worker after it. Default 2
    /// minutes; 10 seconds to 1 hour. Keep it well above the instances' clock skew.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>Which tenants a fleet run selects. Every condition given must hold; a tenant that is selected but does not serve is skipped with the reason.</summary>
public sealed record FleetTenantFilter
{
    /// <summary>These states only; null = any state (tenants that are not ready are then recorded as skipped).</summary>
    public IReadOnlyCollection<TenantState>? States { get; init; }

    /// <summary>These plans only (ordinal names); null = any plan.</summary>
    public IReadOnlyCollection<string>? Plans { get; init; }

    /// <summary>These Neon regions only (ordinal ids; a tenant created in the default region records none and matches no entry: select it with <see cref="Predicate"/>); null = any region.</summary>
    public IReadOnlyCollection<string>? Regions { get; init; }

    /// <summary>Any other condition on the catalog record; null = none. Runs once per tenant when the run is planned; must not block.</summary>
    public Func<TenantRecord, bool>? Predicate { get; init; }
}
