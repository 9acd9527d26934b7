using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>Reads a tenant's current billing period counters: one <c>GET /projects/{id}</c> (every Neon plan carries them).</summary>
internal sealed class CurrentUsageReader(NeonApiClient api, TimeProvider time)
{
    /// <summary>Reads the counters of the tenant's project.</summary>
    /// <param name="record">The tenant; it names a project.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The usage, stamped with the time it was read.</returns>
    /// <exception cref="NeonApiException">Neon refused the read.</exception>
    public async Task<TenantUsage> ReadAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var response = await api.Projects.GetProjectAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false);
        var p = response.Project;
        return new TenantUsage
        {
            TenantId = record.TenantId,
            ProjectId = p.Id,
            PeriodStart = p.ConsumptionPeriodStart,
            PeriodEnd = p.ConsumptionPeriodEnd,
            ReadAt = time.GetUtcNow(),
            ActiveTime = TimeSpan.FromSeconds(p.ActiveTimeSeconds),
            ComputeTime = TimeSpan.FromSeconds(p.ComputeTimeSeconds),
            WrittenBytes = p.WrittenDataBytes,
            TransferBytes = p.DataTransferBytes,
            StorageByteHours = p.DataStorageBytesHour,
            StorageBytes = p.SyntheticStorageSize,
        };
    }
}
