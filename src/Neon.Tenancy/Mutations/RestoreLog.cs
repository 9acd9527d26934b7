using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>The restore path's log messages (event ids 7004-7009, 7016). No secret is ever an argument.</summary>
internal static partial class RestoreLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.CatalogFollowedBranch, EventName = nameof(NeonTenancyEventId.CatalogFollowedBranch), Level = LogLevel.Warning, Message = "Tenant {TenantId}: Neon serves it from branch {BranchId}, the catalog had {RecordedBranchId} (an earlier restore was interrupted); the catalog follows")]
    public static partial void FollowedBranch(ILogger logger, string tenantId, string branchId, string recordedBranchId);

    [LoggerMessage(EventId = NeonTenancyEventId.RestorePreviewReady, EventName = nameof(NeonTenancyEventId.RestorePreviewReady), Level = LogLevel.Information, Message = "Tenant {TenantId}: restore preview of checkpoint {CheckpointId} ready on branch {BranchId}; the tenant still serves branch {PreviousBranchId}")]
    public static partial void PreviewReady(ILogger logger, string tenantId, string? checkpointId, string branchId, string previousBranchId);

    [LoggerMessage(EventId = NeonTenancyEventId.RestoreFinalized, EventName = nameof(NeonTenancyEventId.RestoreFinalized), Level = LogLevel.Information, Message = "Tenant {TenantId}: restore finalized; it now lives on branch {BranchId} (was {PreviousBranchId}, {PreviousBranchFate})")]
    public static partial void Finalized(ILogger logger, string tenantId, string branchId, string previousBranchId, string previousBranchFate);

    [LoggerMessage(EventId = NeonTenancyEventId.RestoreDiscarded, EventName = nameof(NeonTenancyEventId.RestoreDiscarded), Level = LogLevel.Information, Message = "Tenant {TenantId}: restore preview on branch {BranchId} discarded")]
    public static partial void Discarded(ILogger logger, string tenantId, string? branchId);

    [LoggerMessage(EventId = NeonTenancyEventId.RestoreResumed, EventName = nameof(NeonTenancyEventId.RestoreResumed), Level = LogLevel.Warning, Message = "Tenant {TenantId}: a {Kind} restore started at {StartedAt:O} stopped at stage {Stage}; finishing it first")]
    public static partial void Resumed(ILogger logger, string tenantId, TenantRestoreKind kind, DateTimeOffset startedAt, TenantRestoreStage stage);

    [LoggerMessage(EventId = NeonTenancyEventId.RestorePreviousBranchNotDeleted, EventName = nameof(NeonTenancyEventId.RestorePreviousBranchNotDeleted), Level = LogLevel.Warning, Message = "Tenant {TenantId}: the previous branch {BranchId} could not be deleted after the restore; it is kept and the restore stands")]
    public static partial void PreviousBranchNotDeleted(ILogger logger, Exception exception, string tenantId, string branchId);

    [LoggerMessage(EventId = NeonTenancyEventId.RestoreApplicationRoleGone, EventName = nameof(NeonTenancyEventId.RestoreApplicationRoleGone), Level = LogLevel.Warning, Message = "Tenant {TenantId}: branch {BranchId} has no application role {Role} (created after the restored point); the record drops it")]
    public static partial void ApplicationRoleGone(ILogger logger, string tenantId, string role, string branchId);
}
