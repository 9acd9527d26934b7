namespace Neon.Tenancy;

/// <summary>
/// Options of the warm pool (<see cref="ITenantWarmPool"/>): projects created, migrated and left to scale to zero
/// before anyone signs up, so that <see cref="ITenantDatabaseProvider.ProvisionAsync"/> claims one instead of creating
/// one. Bound from <c>NeonTenancy:WarmPool</c> and validated at start (a bad value fails the host start with a message
/// naming the setting). The pool is off until a size is set.
/// </summary>
/// <remarks>
/// <para>A pool is kept per region and per plan class: the pool plans (<see cref="Plans"/>) grouped by their compute
/// settings (autoscaling limits, suspend timeout), each class named after its first plan. A sign-up claims from the pool
/// of its region and of its plan's class; its plan's quotas are applied at the claim.</para>
/// <para>A pool project costs its storage while it is suspended (a freshly migrated, empty database: tens of MB), plus
/// the compute time of its creation and of each migration; <c>NeonCostCalculator.EstimateWarmPool</c> prices it.</para>
/// </remarks>
public sealed class WarmPoolOptions
{
    // Each rule is declared once, here, and checked by the generated WarmPoolOptionsValidator.
    private const string Path = NeonTenancySections.WarmPoolPath + ":";

    /// <summary>
    /// How many ready projects to keep, per plan class, for sign-ups that name no region (Neon's default region for the
    /// organization). Default 0: none. At most 1,000.
    /// </summary>
    [NumberRange(0, 1000, ErrorMessage = Path + "Size must be between {1} and {2}.")]
    public int Size { get; set; }

    /// <summary>
    /// How many ready projects to keep, per plan class, for sign-ups in each named Neon region (for example
    /// <c>"aws-eu-central-1": 10</c>). Keys are Neon region ids; each size at most 1,000.
    /// </summary>
    public IDictionary<string, int> Regions { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// The plans whose sign-ups claim from the pool; empty (the default) = every configured plan (or every sign-up when
    /// no plans are configured). Each must be a configured plan.
    /// </summary>
    public IList<string> Plans { get; set; } = [];

    /// <summary>
    /// How old a pool project may grow before the replenisher recycles it (deletes it and creates a fresh one). Default
    /// 7 days; 1 hour to 365 days.
    /// </summary>
    [TimeSpanRange("01:00:00", "365.00:00:00", ErrorMessage = Path + "MaxAge must be between {1} and {2}.")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How often the replenisher looks at the pools (on one application instance at a time). Default 30 seconds;
    /// 1 second to 1 hour.
    /// </summary>
    [TimeSpanRange("00:00:01", "01:00:00", ErrorMessage = Path + "ReplenishInterval must be between {1} and {2}.")]
    public TimeSpan ReplenishInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many pool projects the replenisher creates, migrates or recycles at once: its share of the Neon API's rate
    /// budget (a creation costs 8 requests plus its operation polls: 12 against the fake Neon). Default 2; 1 to 16.
    /// </summary>
    [NumberRange(1, 16, ErrorMessage = Path + "ReplenishParallelism must be between {1} and {2}.")]
    public int ReplenishParallelism { get; set; } = 2;

    /// <summary>Whether any pool has a size (the replenisher and the claim are off otherwise).</summary>
    internal bool Enabled => Size > 0 || Regions.Values.Any(size => size > 0);
}
