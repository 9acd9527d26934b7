namespace Neon.Tenancy;

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
