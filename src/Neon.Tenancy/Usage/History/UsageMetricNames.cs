namespace Neon.Tenancy;

/// <summary>Neon's wire names of the <see cref="UsageMetric"/>s (<c>compute_unit_seconds</c>, ...).</summary>
internal static class UsageMetricNames
{
    public static string ToWire(UsageMetric metric) => metric switch
    {
        UsageMetric.ComputeUnitSeconds => "compute_unit_seconds",
        UsageMetric.RootBranchBytesMonth => "root_branch_bytes_month",
        UsageMetric.ChildBranchBytesMonth => "child_branch_bytes_month",
        UsageMetric.InstantRestoreBytesMonth => "instant_restore_bytes_month",
        UsageMetric.PublicNetworkTransferBytes => "public_network_transfer_bytes",
        UsageMetric.PrivateNetworkTransferBytes => "private_network_transfer_bytes",
        UsageMetric.ExtraBranchesMonth => "extra_branches_month",
        UsageMetric.SnapshotStorageBytesMonth => "snapshot_storage_bytes_month",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown usage metric."),
    };

    public static bool TryParse(string wire, out UsageMetric metric)
    {
        foreach (var m in Enum.GetValues<UsageMetric>())
        {
            if (string.Equals(ToWire(m), wire, StringComparison.Ordinal))
            {
                metric = m;
                return true;
            }
        }

        metric = default;
        return false;
    }
}
