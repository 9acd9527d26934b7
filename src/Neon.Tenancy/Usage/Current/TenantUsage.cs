namespace Neon.Tenancy;

/// <summary>
/// A tenant's usage in its project's current billing period, from the counters Neon keeps on every project (all plans),
/// as read by <see cref="IUsageClient.GetCurrentUsageAsync"/>.
/// </summary>
public sealed record TenantUsage
{
    /// <summary>The tenant.</summary>
    public required TenantId TenantId { get; init; }

    /// <summary>The tenant's Neon project.</summary>
    public required string ProjectId { get; init; }

    /// <summary>Start of the billing period the counters cover (Neon's <c>consumption_period_start</c>).</summary>
    public DateTimeOffset PeriodStart { get; init; }

    /// <summary>End of the billing period (Neon's <c>consumption_period_end</c>); the counters reset then.</summary>
    public DateTimeOffset PeriodEnd { get; init; }

    /// <summary>When the counters were read (from the injected <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset ReadAt { get; init; }

    /// <summary>Time the project's computes were active, whatever their size (<c>active_time_seconds</c>).</summary>
    public TimeSpan ActiveTime { get; init; }

    /// <summary>
    /// Compute time weighted by compute size (<c>compute_time_seconds</c>, CU-seconds): 1 CU active for 1 hour adds
    /// 1 hour. Its <see cref="TimeSpan.TotalHours"/> is the CU-hours Neon bills.
    /// </summary>
    public TimeSpan ComputeTime { get; init; }

    /// <summary>Bytes written to storage this period (<c>written_data_bytes</c>).</summary>
    public long WrittenBytes { get; init; }

    /// <summary>Bytes transferred out this period, public and private (<c>data_transfer_bytes</c>).</summary>
    public long TransferBytes { get; init; }

    /// <summary>Storage held this period in byte-hours: bytes stored multiplied by hours held (<c>data_storage_bytes_hour</c>).</summary>
    public long StorageByteHours { get; init; }

    /// <summary>The project's current storage size in bytes, data and history of all branches (<c>synthetic_storage_size</c>); <see langword="null"/> when Neon does not report it.</summary>
    public long? StorageBytes { get; init; }

    /// <summary>CU-hours used this period (<see cref="ComputeTime"/> in hours).</summary>
    public double ComputeUnitHours => ComputeTime.TotalHours;
}
