namespace Neon.Tenancy;

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
