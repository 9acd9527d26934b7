using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Provisioning log messages: event ids 4000-4099. No secret is ever an argument.</summary>
internal static partial class ProvisioningLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.TenantProvisioned, EventName = nameof(NeonTenancyEventId.TenantProvisioned), Level = LogLevel.Information, Message = "Tenant {TenantId} provisioned: project {ProjectId} ({Outcome}) in {ElapsedSeconds:0.000} s")]
    public static partial void Provisioned(ILogger logger, string tenantId, string? projectId, string outcome, double elapsedSeconds);

    [LoggerMessage(EventId = NeonTenancyEventId.ProjectCreating, EventName = nameof(NeonTenancyEventId.ProjectCreating), Level = LogLevel.Information, Message = "Tenant {TenantId}: creating project {ProjectName}")]
    public static partial void Creating(ILogger logger, string tenantId, string projectName);

    [LoggerMessage(EventId = NeonTenancyEventId.ProjectAdopting, EventName = nameof(NeonTenancyEventId.ProjectAdopting), Level = LogLevel.Information, Message = "Tenant {TenantId}: adopting project {ProjectId} created by an earlier attempt")]
    public static partial void Adopting(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.ProvisioningResuming, EventName = nameof(NeonTenancyEventId.ProvisioningResuming), Level = LogLevel.Information, Message = "Tenant {TenantId}: resuming provisioning of project {ProjectId}")]
    public static partial void Resuming(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.ProvisioningFailed, EventName = nameof(NeonTenancyEventId.ProvisioningFailed), Level = LogLevel.Error, Message = "Tenant {TenantId}: provisioning failed at step {Step} (Neon request id {RequestId})")]
    public static partial void Failed(ILogger logger, Exception exception, string tenantId, TenantProvisioningStep step, string? requestId);

    [LoggerMessage(EventId = NeonTenancyEventId.SeveralProjectsNamed, EventName = nameof(NeonTenancyEventId.SeveralProjectsNamed), Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Count} projects are named {ProjectName}; adopting the oldest, {ProjectId}")]
    public static partial void SeveralProjectsNamed(ILogger logger, string tenantId, int count, string projectName, string projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantDeleted, EventName = nameof(NeonTenancyEventId.TenantDeleted), Level = LogLevel.Information, Message = "Tenant {TenantId}: project {ProjectId} deleted, recoverable until {RecoverableUntil:O}")]
    public static partial void Deleted(ILogger logger, string tenantId, string? projectId, DateTimeOffset recoverableUntil);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantDeletedWithoutProject, EventName = nameof(NeonTenancyEventId.TenantDeletedWithoutProject), Level = LogLevel.Information, Message = "Tenant {TenantId} deleted before it had a project: nothing to recover; ProvisionAsync provisions it afresh")]
    public static partial void DeletedWithoutProject(ILogger logger, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantRecovered, EventName = nameof(NeonTenancyEventId.TenantRecovered), Level = LogLevel.Information, Message = "Tenant {TenantId}: project {ProjectId} recovered")]
    public static partial void Recovered(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantRestored, EventName = nameof(NeonTenancyEventId.TenantRestored), Level = LogLevel.Information, Message = "Tenant {TenantId}: branch {BranchId} restored, pre-restore state kept as {PreservedBranchName}")]
    public static partial void Restored(ILogger logger, string tenantId, string branchId, string preservedBranchName);

    [LoggerMessage(EventId = NeonTenancyEventId.CredentialsRotated, EventName = nameof(NeonTenancyEventId.CredentialsRotated), Level = LogLevel.Information, Message = "Tenant {TenantId}: password of role {RoleName} rotated")]
    public static partial void Rotated(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = NeonTenancyEventId.ApplicationRoleCreated, EventName = nameof(NeonTenancyEventId.ApplicationRoleCreated), Level = LogLevel.Information, Message = "Tenant {TenantId}: application role {RoleName} created")]
    public static partial void ApplicationRoleCreated(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = NeonTenancyEventId.ApplicationRolePasswordReset, EventName = nameof(NeonTenancyEventId.ApplicationRolePasswordReset), Level = LogLevel.Information, Message = "Tenant {TenantId}: application role {RoleName} existed from an earlier attempt; its password was reset")]
    public static partial void ApplicationRolePasswordReset(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = NeonTenancyEventId.ApplicationRoleGranted, EventName = nameof(NeonTenancyEventId.ApplicationRoleGranted), Level = LogLevel.Information, Message = "Tenant {TenantId}: grants of application role {RoleName} applied")]
    public static partial void ApplicationRoleGranted(ILogger logger, string tenantId, string roleName);

    [LoggerMessage(EventId = NeonTenancyEventId.OrphanProjectFound, EventName = nameof(NeonTenancyEventId.OrphanProjectFound), Level = LogLevel.Warning, Message = "Orphan project {ProjectId} ({ProjectName}): {Reason}; deleted: {Deleted}")]
    public static partial void Orphan(ILogger logger, string projectId, string projectName, TenantOrphanReason reason, bool deleted);
}
