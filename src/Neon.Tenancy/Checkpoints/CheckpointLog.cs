using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Checkpoint log messages: event ids 7000-7099. No secret is ever an argument (metadata is not logged either).</summary>
internal static partial class CheckpointLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointCreated, EventName = nameof(NeonTenancyEventId.CheckpointCreated), Level = LogLevel.Information, Message = "Tenant {TenantId}: checkpoint {CheckpointId} ({Name}) created of branch {BranchId}")]
    public static partial void Created(ILogger logger, string tenantId, string checkpointId, string name, string branchId);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointDeleted, EventName = nameof(NeonTenancyEventId.CheckpointDeleted), Level = LogLevel.Information, Message = "Tenant {TenantId}: checkpoint {CheckpointId} deleted")]
    public static partial void Deleted(ILogger logger, string tenantId, string checkpointId);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointExpired, EventName = nameof(NeonTenancyEventId.CheckpointExpired), Level = LogLevel.Information, Message = "Tenant {TenantId}: checkpoint {CheckpointId} expired ({Reason})")]
    public static partial void Expired(ILogger logger, string tenantId, string checkpointId, string reason);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointRestored, EventName = nameof(NeonTenancyEventId.CheckpointRestored), Level = LogLevel.Information, Message = "Tenant {TenantId}: restored to checkpoint {CheckpointId}; now on branch {BranchId} (was {PreviousBranchId}, kept)")]
    public static partial void Restored(ILogger logger, string tenantId, string checkpointId, string branchId, string previousBranchId);
}
