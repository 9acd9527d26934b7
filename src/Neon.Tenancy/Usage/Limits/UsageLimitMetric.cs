namespace Neon.Tenancy;

/// <summary>A usage metric a plan can limit (Neon's <c>settings.quota</c>).</summary>
public enum UsageLimitMetric
{
    /// <summary>Active time per billing period (<c>active_time_seconds</c>), in seconds.</summary>
    ActiveTime,

    /// <summary>Compute time (CU-seconds) per billing period (<c>compute_time_seconds</c>).</summary>
    ComputeTime,

    /// <summary>Bytes written per billing period (<c>written_data_bytes</c>).</summary>
    WrittenData,

    /// <summary>Bytes transferred out per billing period (<c>data_transfer_bytes</c>).</summary>
    DataTransfer,

    /// <summary>Logical size of the tenant's branch in bytes (<c>logical_size_bytes</c>; not periodic).</summary>
    LogicalSize,
}
