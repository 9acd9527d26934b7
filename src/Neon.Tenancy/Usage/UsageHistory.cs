namespace Neon.Tenancy;

/// <summary>The time step of <see cref="IUsageClient.GetHistoryAsync"/>, with Neon's look-back limit.</summary>
public enum UsageGranularity
{
    /// <summary>One value per hour; <see cref="UsageHistoryRequest.From"/> at most 168 hours back.</summary>
    Hourly,

    /// <summary>One value per day; at most 60 days back.</summary>
    Daily,

    /// <summary>One value per month; at most 1 year back.</summary>
    Monthly,
}

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

/// <summary>What <see cref="IUsageClient.GetHistoryAsync"/> reads. The window is checked against Neon's rules before any call.</summary>
public sealed record UsageHistoryRequest
{
    /// <summary>
    /// The metrics read when <see cref="Metrics"/> is null: compute, root and child branch storage, instant restore,
    /// public transfer and extra branches (what a Launch or Scale invoice is made of).
    /// </summary>
    public static IReadOnlyList<UsageMetric> DefaultMetrics { get; } =
    [
        UsageMetric.ComputeUnitSeconds, UsageMetric.RootBranchBytesMonth, UsageMetric.ChildBranchBytesMonth,
        UsageMetric.InstantRestoreBytesMonth, UsageMetric.PublicNetworkTransferBytes, UsageMetric.ExtraBranchesMonth,
    ];

    /// <summary>The tenants (one or more); <see langword="null"/> for every tenant in the catalog.</summary>
    public IReadOnlyList<TenantId>? Tenants { get; init; }

    /// <summary>Start of the window (Neon rounds it down to the granularity; not before 2024-03-01 UTC).</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the window; after <see cref="From"/>.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The time step. Default <see cref="UsageGranularity.Daily"/>.</summary>
    public UsageGranularity Granularity { get; init; } = UsageGranularity.Daily;

    /// <summary>The metrics to read; <see langword="null"/> for <see cref="DefaultMetrics"/>.</summary>
    public IReadOnlyList<UsageMetric>? Metrics { get; init; }

    /// <summary>A request for one tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="from">Start of the window.</param>
    /// <param name="to">End of the window.</param>
    /// <param name="granularity">The time step.</param>
    /// <returns>The request.</returns>
    public static UsageHistoryRequest ForTenant(TenantId tenantId, DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity = UsageGranularity.Daily) =>
        new() { Tenants = [tenantId], From = from, To = to, Granularity = granularity };

    /// <summary>A request for every tenant in the catalog.</summary>
    /// <param name="from">Start of the window.</param>
    /// <param name="to">End of the window.</param>
    /// <param name="granularity">The time step.</param>
    /// <returns>The request.</returns>
    public static UsageHistoryRequest ForAllTenants(DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity = UsageGranularity.Daily) =>
        new() { From = from, To = to, Granularity = granularity };
}

/// <summary>Consumption history per tenant, mapped back from Neon's project ids.</summary>
/// <param name="From">Start of the window as requested.</param>
/// <param name="To">End of the window as requested.</param>
/// <param name="Granularity">The time step.</param>
/// <param name="Metrics">The metrics read.</param>
/// <param name="Tenants">One entry per tenant with a project, ordered by tenant id; a project Neon reported nothing for has no timeframes.</param>
/// <param name="TenantsWithoutProject">Requested tenants that have no Neon project yet (reported, not dropped).</param>
public sealed record UsageHistory(
    DateTimeOffset From,
    DateTimeOffset To,
    UsageGranularity Granularity,
    IReadOnlyList<UsageMetric> Metrics,
    IReadOnlyList<TenantUsageHistory> Tenants,
    IReadOnlyList<TenantId> TenantsWithoutProject);

/// <summary>One tenant's consumption history.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="ProjectId">Its Neon project.</param>
/// <param name="Timeframes">The values per time step, oldest first.</param>
public sealed record TenantUsageHistory(TenantId TenantId, string ProjectId, IReadOnlyList<UsageTimeframe> Timeframes)
{
    /// <summary>The values summed over every timeframe (a metric not read stays <see langword="null"/>).</summary>
    public UsageValues Total => Timeframes.Aggregate(UsageValues.Empty, static (sum, t) => sum.Add(t.Values));
}

/// <summary>One time step of a tenant's history.</summary>
/// <param name="Start">Start of the step.</param>
/// <param name="End">End of the step.</param>
/// <param name="Values">The metrics' values in this step.</param>
public sealed record UsageTimeframe(DateTimeOffset Start, DateTimeOffset End, UsageValues Values);

/// <summary>Consumption metric values in typed units; a metric that was not read is <see langword="null"/>.</summary>
public sealed record UsageValues
{
    internal static UsageValues Empty { get; } = new();

    /// <summary>Compute time weighted by compute size (<see cref="UsageMetric.ComputeUnitSeconds"/>); <see cref="TimeSpan.TotalHours"/> = CU-hours.</summary>
    public TimeSpan? ComputeTime { get; init; }

    /// <summary>Root branch storage in byte-hours.</summary>
    public long? RootBranchByteHours { get; init; }

    /// <summary>Child branch storage in byte-hours.</summary>
    public long? ChildBranchByteHours { get; init; }

    /// <summary>Instant restore history in byte-hours.</summary>
    public long? InstantRestoreByteHours { get; init; }

    /// <summary>Snapshot storage in byte-hours.</summary>
    public long? SnapshotByteHours { get; init; }

    /// <summary>Public network transfer in bytes.</summary>
    public long? PublicTransferBytes { get; init; }

    /// <summary>Private network transfer in bytes.</summary>
    public long? PrivateTransferBytes { get; init; }

    /// <summary>Child branches held, in branch-hours (the plan's allowance not subtracted).</summary>
    public long? BranchHours { get; init; }

    /// <summary>The raw value of one metric in Neon's unit (CU-seconds, byte-hours, bytes or branch-hours); <see langword="null"/> when not read.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="metric"/> is not defined.</exception>
    public long? Get(UsageMetric metric) => metric switch
    {
        UsageMetric.ComputeUnitSeconds => ComputeTime is { } t ? (long)t.TotalSeconds : null,
        UsageMetric.RootBranchBytesMonth => RootBranchByteHours,
        UsageMetric.ChildBranchBytesMonth => ChildBranchByteHours,
        UsageMetric.InstantRestoreBytesMonth => InstantRestoreByteHours,
        UsageMetric.PublicNetworkTransferBytes => PublicTransferBytes,
        UsageMetric.PrivateNetworkTransferBytes => PrivateTransferBytes,
        UsageMetric.ExtraBranchesMonth => BranchHours,
        UsageMetric.SnapshotStorageBytesMonth => SnapshotByteHours,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown usage metric."),
    };

    internal UsageValues With(UsageMetric metric, long value) => metric switch
    {
        UsageMetric.ComputeUnitSeconds => this with { ComputeTime = TimeSpan.FromSeconds(value) + (ComputeTime ?? TimeSpan.Zero) },
        UsageMetric.RootBranchBytesMonth => this with { RootBranchByteHours = Plus(RootBranchByteHours, value) },
        UsageMetric.ChildBranchBytesMonth => this with { ChildBranchByteHours = Plus(ChildBranchByteHours, value) },
        UsageMetric.InstantRestoreBytesMonth => this with { InstantRestoreByteHours = Plus(InstantRestoreByteHours, value) },
        UsageMetric.PublicNetworkTransferBytes => this with { PublicTransferBytes = Plus(PublicTransferBytes, value) },
        UsageMetric.PrivateNetworkTransferBytes => this with { PrivateTransferBytes = Plus(PrivateTransferBytes, value) },
        UsageMetric.ExtraBranchesMonth => this with { BranchHours = Plus(BranchHours, value) },
        UsageMetric.SnapshotStorageBytesMonth => this with { SnapshotByteHours = Plus(SnapshotByteHours, value) },
        _ => this,
    };

    internal UsageValues Add(UsageValues other) => new()
    {
        ComputeTime = ComputeTime is null && other.ComputeTime is null ? null : (ComputeTime ?? TimeSpan.Zero) + (other.ComputeTime ?? TimeSpan.Zero),
        RootBranchByteHours = Sum(RootBranchByteHours, other.RootBranchByteHours),
        ChildBranchByteHours = Sum(ChildBranchByteHours, other.ChildBranchByteHours),
        InstantRestoreByteHours = Sum(InstantRestoreByteHours, other.InstantRestoreByteHours),
        SnapshotByteHours = Sum(SnapshotByteHours, other.SnapshotByteHours),
        PublicTransferBytes = Sum(PublicTransferBytes, other.PublicTransferBytes),
        PrivateTransferBytes = Sum(PrivateTransferBytes, other.PrivateTransferBytes),
        BranchHours = Sum(BranchHours, other.BranchHours),
    };

    private static long Plus(long? current, long value) => checked((current ?? 0) + value);

    private static long? Sum(long? a, long? b) => a is null && b is null ? null : checked((a ?? 0) + (b ?? 0));
}

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
