namespace Neon.Tenancy;

/// <summary>
/// How long a compute runs per month in a what-if estimate, like Neon's pricing calculator: <see cref="Testing"/>
/// (5 hours), <see cref="BusinessHours"/> (160 hours), <see cref="AlwaysOn"/> (730 hours) or <see cref="Custom"/>.
/// </summary>
/// <param name="ActiveHoursPerMonth">Hours the compute is active per month, 0 to 744.</param>
public readonly record struct UsagePattern(double ActiveHoursPerMonth)
{
    /// <summary>Occasional testing: 5 active hours a month.</summary>
    public static UsagePattern Testing => new(5);

    /// <summary>Business hours: 160 active hours a month (8 hours x 20 days).</summary>
    public static UsagePattern BusinessHours => new(160);

    /// <summary>Always on: 730 active hours a month (24 hours x 365 days / 12).</summary>
    public static UsagePattern AlwaysOn => new(730);

    /// <summary>A pattern of your own.</summary>
    /// <param name="activeHoursPerMonth">Hours active per month, 0 to 744.</param>
    /// <returns>The pattern.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activeHoursPerMonth"/> is outside 0 to 744.</exception>
    public static UsagePattern Custom(double activeHoursPerMonth)
    {
        Check(activeHoursPerMonth);
        return new(activeHoursPerMonth);
    }

    internal static void Check(double hours)
    {
        if (!(hours >= 0 && hours <= 744))
        {
            throw new ArgumentOutOfRangeException(nameof(hours), hours, "Active hours per month must be between 0 and 744.");
        }
    }
}

/// <summary>A what-if fleet for <see cref="NeonCostCalculator.EstimateScenario"/>: tenants x compute size x usage pattern x storage.</summary>
public sealed record CostScenario
{
    /// <summary>Number of tenants (one project each), 0 or more.</summary>
    public required int Tenants { get; init; }

    /// <summary>Average compute size while active, in compute units (Neon sizes run from 0.25 to 56).</summary>
    public required double ComputeUnits { get; init; }

    /// <summary>How long each tenant's compute is active per month.</summary>
    public required UsagePattern Usage { get; init; }

    /// <summary>Storage per tenant in GB (10^9 bytes), held all month: for example 1, 10 or 100.</summary>
    public required double StorageGB { get; init; }

    /// <summary>Public network transfer per tenant per month, in GB. Default 0.</summary>
    public double PublicTransferGB { get; init; }

    /// <summary>Instant restore (point-in-time history) per tenant, in GB held all month. Default 0.</summary>
    public double InstantRestoreGB { get; init; }
}

/// <summary>A monthly cost estimate: quantities in Neon's billing units and their cost in <see cref="Currency"/>.</summary>
public sealed record CostEstimate
{
    /// <summary>The currency of every cost.</summary>
    public required string Currency { get; init; }

    /// <summary>Compute in CU-hours.</summary>
    public decimal ComputeUnitHours { get; init; }

    /// <summary>Root and child branch storage in GB-months.</summary>
    public decimal StorageGBMonths { get; init; }

    /// <summary>Instant restore history in GB-months.</summary>
    public decimal InstantRestoreGBMonths { get; init; }

    /// <summary>Snapshot storage in GB-months.</summary>
    public decimal SnapshotGBMonths { get; init; }

    /// <summary>Public network transfer in GB.</summary>
    public decimal PublicTransferGB { get; init; }

    /// <summary>Private network transfer in GB.</summary>
    public decimal PrivateTransferGB { get; init; }

    /// <summary>Child branches beyond the allowance, in branch-months.</summary>
    public decimal ExtraBranchMonths { get; init; }

    /// <summary>Compute cost.</summary>
    public decimal ComputeCost { get; init; }

    /// <summary>Storage cost.</summary>
    public decimal StorageCost { get; init; }

    /// <summary>Instant restore cost.</summary>
    public decimal InstantRestoreCost { get; init; }

    /// <summary>Snapshot cost.</summary>
    public decimal SnapshotCost { get; init; }

    /// <summary>Public transfer cost (beyond the organization's included transfer where it was applied).</summary>
    public decimal PublicTransferCost { get; init; }

    /// <summary>Private transfer cost.</summary>
    public decimal PrivateTransferCost { get; init; }

    /// <summary>Extra branches cost.</summary>
    public decimal ExtraBranchesCost { get; init; }

    /// <summary>The sum of every cost, unrounded.</summary>
    public decimal Total => ComputeCost + StorageCost + InstantRestoreCost + SnapshotCost + PublicTransferCost + PrivateTransferCost + ExtraBranchesCost;
}

/// <summary>One tenant's estimate.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="Estimate">Its cost; public transfer charged in full (the included transfer is organization-wide, see <see cref="FleetCostEstimate.Total"/>).</param>
public sealed record TenantCostEstimate(TenantId TenantId, CostEstimate Estimate);

/// <summary>Estimates per tenant and for the whole fleet.</summary>
/// <param name="Tenants">Per tenant, ordered by tenant id.</param>
/// <param name="Total">
/// The fleet: quantities summed over every tenant, priced once, with the organization's included public transfer
/// (<see cref="NeonPrices.IncludedPublicTransferGB"/>) subtracted once; so it can be less than the sum of the tenants' totals.
/// </param>
public sealed record FleetCostEstimate(IReadOnlyList<TenantCostEstimate> Tenants, CostEstimate Total);
