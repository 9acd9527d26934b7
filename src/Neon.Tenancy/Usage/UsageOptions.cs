namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="IUsageClient"/> and <see cref="NeonCostCalculator"/>, bound from the <c>NeonTenancy:Usage</c>
/// configuration section and validated at start (a bad value fails the host start with a message naming the setting).
/// </summary>
public sealed class UsageOptions
{
    /// <summary>The sub-section of <c>NeonTenancy</c> holding these options: <c>Usage</c>.</summary>
    public const string SectionName = NeonTenancyOptions.UsageSectionName;

    /// <summary>
    /// How long an answer of <see cref="IUsageClient.GetHistoryAsync"/> is reused for the same request (same tenants and
    /// projects, window, granularity and metrics), so repeated reads do not spend the consumption rate budget. Default
    /// 15 minutes (Neon refreshes consumption data about that often); <see cref="TimeSpan.Zero"/> turns the cache off
    /// (identical reads made at the same time still share one read); at most 1 day.
    /// </summary>
    public TimeSpan HistoryCacheDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The share of a plan limit, in percent, at which <see cref="IUsageThresholdObserver"/>s hear that a tenant is
    /// approaching the limit. Default 80; greater than 0 and less than 100 (reaching 100 % is reported separately).
    /// </summary>
    public double ThresholdPercent { get; set; } = 80;

    /// <summary>How many tenants' counters fleet-wide reads fetch at once. Default 4; 1 to 64.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>The prices <see cref="NeonCostCalculator"/> uses (<c>NeonTenancy:Usage:Prices</c>).</summary>
    public NeonPrices Prices { get; set; } = new();
}

/// <summary>
/// Neon's prices, bound from <c>NeonTenancy:Usage:Prices</c>. Prices change: set them to your contract's. The defaults
/// are Neon's public list prices of the <b>Launch</b> plan as published on neon.com/docs/introduction/plans (page dated
/// 2026-03-20; the same rates in its 2026-11-12 revision) and neon.com/docs/introduction/usage-calculations. For the
/// <b>Scale</b> plan set <see cref="ComputePerCuHour"/> to 0.222 and <see cref="IncludedBranchesPerProject"/> to 25.
/// </summary>
/// <remarks>
/// Units follow Neon's billing: 1 GB = 10^9 bytes (decimal), a billing month = 744 hours (31 x 24) for byte-hour and
/// branch-hour conversions, compute in CU-hours (compute units x hours).
/// </remarks>
public sealed class NeonPrices
{
    /// <summary>The currency of every price. Default <c>USD</c>.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>Compute, per CU-hour. Default 0.106 (Launch, 2026-03-20; Scale: 0.222).</summary>
    public decimal ComputePerCuHour { get; set; } = 0.106m;

    /// <summary>Storage (root and child branches), per GB-month. Default 0.35 (Launch and Scale, 2026-03-20).</summary>
    public decimal StoragePerGBMonth { get; set; } = 0.35m;

    /// <summary>Instant restore (point-in-time history of root branches), per GB-month. Default 0.20 (2026-03-20).</summary>
    public decimal InstantRestorePerGBMonth { get; set; } = 0.20m;

    /// <summary>Snapshot storage, per GB-month. Default 0.09 (usage-calculations page, 2026-05-28).</summary>
    public decimal SnapshotPerGBMonth { get; set; } = 0.09m;

    /// <summary>Public network transfer beyond <see cref="IncludedPublicTransferGB"/>, per GB. Default 0.10 (2026-03-20).</summary>
    public decimal PublicTransferPerGB { get; set; } = 0.10m;

    /// <summary>Public network transfer included per month for the whole organization (not per project), in GB. Default 100.</summary>
    public decimal IncludedPublicTransferGB { get; set; } = 100m;

    /// <summary>Private network transfer, per GB (Scale plan). Default 0.01 (2026-03-20).</summary>
    public decimal PrivateTransferPerGB { get; set; } = 0.01m;

    /// <summary>Each child branch beyond the plan's allowance, per branch-month. Default 1.50 (2026-03-20).</summary>
    public decimal ExtraBranchPerMonth { get; set; } = 1.50m;

    /// <summary>Branches included per project, the root branch among them. Default 10 (Launch; Scale: 25).</summary>
    public int IncludedBranchesPerProject { get; set; } = 10;
}
