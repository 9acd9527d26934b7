using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>The tenant-change kit's log messages (event ids 4006, 4030, 4031).</summary>
internal static partial class TenantMutatorLog
{
    /// <summary>The tenant's log scope around every change (<c>TenantId</c>).</summary>
    public static IDisposable? TenantScope(ILogger logger, TenantId tenantId) =>
        logger.BeginScope(new KeyValuePair<string, object?>[] { new("TenantId", tenantId.Value) });

    [LoggerMessage(EventId = NeonTenancyEventId.WaitingForOperations, EventName = nameof(NeonTenancyEventId.WaitingForOperations), Level = LogLevel.Information, Message = "Project {ProjectId} has {Count} running operations; waiting for them before the next change")]
    public static partial void WaitingForOperations(ILogger logger, string projectId, int count);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantChangeFailed, EventName = nameof(NeonTenancyEventId.TenantChangeFailed), Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Operation} did not finish; the reason is recorded on the tenant and the same call, repeated, completes it")]
    public static partial void MutationFailed(ILogger logger, Exception exception, string tenantId, string operation);

    [LoggerMessage(EventId = NeonTenancyEventId.ProvisioningFailureNotRecorded, EventName = nameof(NeonTenancyEventId.ProvisioningFailureNotRecorded), Level = LogLevel.Warning, Message = "Tenant {TenantId}: could not record the failure in the catalog")]
    public static partial void FailureNotRecorded(ILogger logger, Exception exception, string tenantId);
}
