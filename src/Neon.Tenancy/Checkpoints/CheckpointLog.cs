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

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointSchedulerStarted, EventName = nameof(NeonTenancyEventId.CheckpointSchedulerStarted), Level = LogLevel.Information, Message = "Checkpoint scheduler started: every {Period}, on one instance at a time")]
    public static partial void SchedulerStarted(ILogger logger, TimeSpan period);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointSchedulerTickCompleted, EventName = nameof(NeonTenancyEventId.CheckpointSchedulerTickCompleted), Message = "Scheduled checkpoints: {Read} ready tenant(s) read, {Due} due, {Created} created, {Failed} failed in {ElapsedMilliseconds:0} ms")]
    public static partial void SchedulerTickCompleted(ILogger logger, LogLevel level, int read, int due, int created, int failed, double elapsedMilliseconds);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointSchedulerLeaseHeldElsewhere, EventName = nameof(NeonTenancyEventId.CheckpointSchedulerLeaseHeldElsewhere), Level = LogLevel.Debug, Message = "Scheduled checkpoints skipped on this instance: another instance holds the lease {Lease}")]
    public static partial void SchedulerLeaseHeldElsewhere(ILogger logger, string lease);

    [LoggerMessage(EventId = NeonTenancyEventId.ScheduledCheckpointFailed, EventName = nameof(NeonTenancyEventId.ScheduledCheckpointFailed), Level = LogLevel.Warning, Message = "Tenant {TenantId}: the scheduled checkpoint failed; the other tenants go on and the next tick tries again")]
    public static partial void ScheduledCheckpointFailed(ILogger logger, string tenantId, Exception exception);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointSchedulerTickFailed, EventName = nameof(NeonTenancyEventId.CheckpointSchedulerTickFailed), Level = LogLevel.Error, Message = "Scheduled checkpoints: the tick failed before it finished (catalog or lease); the next tick tries again")]
    public static partial void SchedulerTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = NeonTenancyEventId.NeonBackupScheduleSynced, EventName = nameof(NeonTenancyEventId.NeonBackupScheduleSynced), Message = "Tenant {TenantId}: Neon backup schedule {Frequency} on branch {BranchId} ({ScheduleState}); {Recorded} snapshot(s) recorded as checkpoints, {Forgotten} forgotten")]
    public static partial void NeonScheduleSynced(ILogger logger, LogLevel level, string tenantId, string frequency, string branchId, string scheduleState, int recorded, int forgotten);

    [LoggerMessage(EventId = NeonTenancyEventId.CheckpointAdopted, EventName = nameof(NeonTenancyEventId.CheckpointAdopted), Level = LogLevel.Warning, Message = "Tenant {TenantId}: snapshot {CheckpointId} was in Neon but not in the catalog (an interrupted checkpoint, or taken by hand); recorded as a checkpoint")]
    public static partial void Adopted(ILogger logger, string tenantId, string checkpointId);
}
