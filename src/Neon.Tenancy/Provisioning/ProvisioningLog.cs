using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Provisioning log messages: event ids 4000-4099. No secret is ever an argument.</summary>
internal static partial class ProvisioningLog
{
    /// <summary>
    /// A logging scope naming the tenant, so every log of the work done for it (including the API client's, which carry
    /// Neon's request id) can be correlated with the tenant.
    /// </summary>
    public static IDisposable? TenantScope(ILogger logger, TenantId tenantId) =>
        logger.BeginScope(new KeyValuePair<string, object?>[] { new("TenantId", tenantId.Value) });

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Tenant {TenantId} provisioned: project {ProjectId} ({Outcome}) in {ElapsedSeconds:0.000} s")]
    public static partial void Provisioned(ILogger logger, string tenantId, string? projectId, string outcome, double elapsedSeconds);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Tenant {TenantId}: creating project {ProjectName}")]
    public static partial void Creating(ILogger logger, string tenantId, string projectName);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Tenant {TenantId}: adopting project {ProjectId} created by an earlier attempt")]
    public static partial void Adopting(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Tenant {TenantId}: resuming provisioning of project {ProjectId}")]
    public static partial void Resuming(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Tenant {TenantId}: provisioning failed at step {Step} (Neon request id {RequestId})")]
    public static partial void Failed(ILogger logger, Exception exception, string tenantId, TenantProvisioningStep step, string? requestId);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Count} projects are named {ProjectName}; adopting the oldest, {ProjectId}")]
    public static partial void SeveralProjectsNamed(ILogger logger, string tenantId, int count, string projectName, string projectId);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Tenant {TenantId}: could not record the failure in the catalog")]
    public static partial void FailureNotRecorded(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Tenant {TenantId}: project {ProjectId} deleted, recoverable until {RecoverableUntil:O}")]
    public static partial void Deleted(ILogger logger, string tenantId, string? projectId, DateTimeOffset recoverableUntil);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "Tenant {TenantId} deleted before it had a project: nothing to recover; ProvisionAsync provisions it afresh")]
    public static partial void DeletedWithoutProject(ILogger logger, string tenantId);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Tenant {TenantId}: project {ProjectId} recovered")]
    public static partial void Recovered(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Tenant {TenantId}: branch {BranchId} restored, pre-restore state kept as {PreservedBranchName}")]
    public static partial void Restored(ILogger logger, string tenantId, string branchId, string preservedBranchName);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Tenant {TenantId}: password of role {RoleName} rotated")]
    public static partial void Rotated(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Information, Message = "Tenant {TenantId}: application role {RoleName} created")]
    public static partial void ApplicationRoleCreated(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information, Message = "Tenant {TenantId}: application role {RoleName} existed from an earlier attempt; its password was reset")]
    public static partial void ApplicationRolePasswordReset(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Information, Message = "Tenant {TenantId}: grants of application role {RoleName} applied")]
    public static partial void ApplicationRoleGranted(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "Orphan project {ProjectId} ({ProjectName}): {Reason}; deleted: {Deleted}")]
    public static partial void Orphan(ILogger logger, string projectId, string projectName, TenantOrphanReason reason, bool deleted);
}
