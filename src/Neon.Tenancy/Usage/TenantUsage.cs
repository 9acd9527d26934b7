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

/// <summary>The current-period usage of many tenants, read by <see cref="IUsageClient.GetFleetUsageAsync"/>, and its totals.</summary>
/// <param name="Tenants">Each tenant's usage, ordered by tenant id.</param>
/// <param name="Totals">The sum over <paramref name="Tenants"/>: the account-level view Neon no longer serves as one endpoint.</param>
/// <param name="TenantsWithoutProject">Tenants in the catalog that have no Neon project yet (nothing to read).</param>
/// <param name="Failed">Tenants whose counters could not be read, with the error's message (never a secret).</param>
public sealed record FleetUsage(
    IReadOnlyList<TenantUsage> Tenants,
    UsageTotals Totals,
    IReadOnlyList<TenantId> TenantsWithoutProject,
    IReadOnlyDictionary<TenantId, string> Failed);

/// <summary>Current-period counters summed over many projects.</summary>
/// <param name="Projects">How many projects were summed.</param>
/// <param name="ActiveTime">Total active time.</param>
/// <param name="ComputeTime">Total compute time (CU-time; <see cref="TimeSpan.TotalHours"/> = CU-hours).</param>
/// <param name="WrittenBytes">Total bytes written.</param>
/// <param name="TransferBytes">Total bytes transferred out.</param>
/// <param name="StorageByteHours">Total storage byte-hours.</param>
/// <param name="StorageBytes">Total current storage size in bytes (projects that report it).</param>
public sealed record UsageTotals(
    int Projects,
    TimeSpan ActiveTime,
    TimeSpan ComputeTime,
    long WrittenBytes,
    long TransferBytes,
    long StorageByteHours,
    long StorageBytes)
{
    /// <summary>Sums the counters of the given tenants.</summary>
    /// <param name="usages">The tenants' usage.</param>
    /// <returns>The totals.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="usages"/> is null.</exception>
    public static UsageTotals Sum(IEnumerable<TenantUsage> usages)
    {
        ArgumentNullException.ThrowIfNull(usages);
        int projects = 0;
        long active = 0, compute = 0, written = 0, transfer = 0, byteHours = 0, storage = 0;
        foreach (var u in usages)
        {
            projects++;
            active = checked(active + u.ActiveTime.Ticks);
            compute = checked(compute + u.ComputeTime.Ticks);
            written = checked(written + u.WrittenBytes);
            transfer = checked(transfer + u.TransferBytes);
            byteHours = checked(byteHours + u.StorageByteHours);
            storage = checked(storage + (u.StorageBytes ?? 0));
        }

        return new UsageTotals(projects, TimeSpan.FromTicks(active), TimeSpan.FromTicks(compute), written, transfer, byteHours, storage);
    }
}
