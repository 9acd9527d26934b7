namespace Neon.Tenancy;

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
