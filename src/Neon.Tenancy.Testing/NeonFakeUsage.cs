namespace Neon.Tenancy.Testing;

/// <summary>
/// A project's usage counters for the current billing period, as <c>GET /projects/{id}</c> reports them, and its default
/// branch's logical size. Values that are null are left unchanged by <see cref="NeonFakeServer.SetUsageAsync"/>.
/// </summary>
public sealed class NeonFakeUsage
{
    /// <summary>Seconds the project's computes were active (quota <c>active_time_seconds</c>).</summary>
    public long? ActiveTimeSeconds { get; init; }

    /// <summary>CPU seconds used (quota <c>compute_time_seconds</c>).</summary>
    public long? ComputeTimeSeconds { get; init; }

    /// <summary>Bytes written (quota <c>written_data_bytes</c>).</summary>
    public long? WrittenDataBytes { get; init; }

    /// <summary>Bytes transferred out (quota <c>data_transfer_bytes</c>).</summary>
    public long? DataTransferBytes { get; init; }

    /// <summary>Storage byte-hours.</summary>
    public long? DataStorageBytesHour { get; init; }

    /// <summary>Synthetic storage size in bytes.</summary>
    public long? SyntheticStorageSize { get; init; }

    /// <summary>
    /// Logical size of the default branch in bytes, as <c>GET /projects/{id}/branches/{branch_id}</c> reports it
    /// (<c>logical_size</c>; what quota <c>logical_size_bytes</c> limits). Reported only: the fake does not refuse writes
    /// above the quota as Neon does.
    /// </summary>
    public long? LogicalSizeBytes { get; init; }
}
