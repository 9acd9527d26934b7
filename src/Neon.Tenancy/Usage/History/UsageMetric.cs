namespace Neon.Tenancy;

/// <summary>A billing metric of Neon's consumption history (v2).</summary>
public enum UsageMetric
{
    /// <summary>Compute time weighted by compute size (<c>compute_unit_seconds</c>), CU-seconds.</summary>
    ComputeUnitSeconds,

    /// <summary>Storage of root branches (<c>root_branch_bytes_month</c>), byte-hours.</summary>
    RootBranchBytesMonth,

    /// <summary>Storage of child branches (<c>child_branch_bytes_month</c>), byte-hours.</summary>
    ChildBranchBytesMonth,

    /// <summary>Point-in-time restore history (<c>instant_restore_bytes_month</c>), byte-hours.</summary>
    InstantRestoreBytesMonth,

    /// <summary>Outbound public transfer (<c>public_network_transfer_bytes</c>), bytes.</summary>
    PublicNetworkTransferBytes,

    /// <summary>Private networking transfer (<c>private_network_transfer_bytes</c>), bytes.</summary>
    PrivateNetworkTransferBytes,

    /// <summary>All child branches (<c>extra_branches_month</c>), branch-hours (the plan's allowance not subtracted).</summary>
    ExtraBranchesMonth,

    /// <summary>Snapshot storage (<c>snapshot_storage_bytes_month</c>), byte-hours.</summary>
    SnapshotStorageBytesMonth,
}
