using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>The tenant-change kit's log messages (event ids 4030-4039; its "failure not recorded" is still ProvisioningLog.FailureNotRecorded, 4006, until the log files are reorganised).</summary>
internal static partial class TenantMutatorLog
{
    /// <summary>The tenant's log scope around every change (<c>TenantId</c>).</summary>
    public static IDisposable? TenantScope(ILogger logger, TenantId tenantId) =>
        logger.BeginScope(new KeyValuePair<string, object?>[] { new("TenantId", tenantId.Value) });

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Project {ProjectId} has {Count} running operations; waiting for them before the next change")]
    public static partial void WaitingForOperations(ILogger logger, string projectId, int count);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Operation} did not finish; the reason is recorded on the tenant and the same call, repeated, completes it")]
    public static partial void MutationFailed(ILogger logger, Exception exception, string tenantId, string operation);
}
