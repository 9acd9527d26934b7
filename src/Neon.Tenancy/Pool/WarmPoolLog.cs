using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>
/// Warm-pool log messages: event ids 8200-8209 (the replenisher) here, 8210-8219 (claims) in <c>WarmPoolLog.Claims.cs</c>.
/// Entry and project ids are arguments; no connection string or password ever is (failure reasons come from
/// <see cref="TenantFailureReasons.Describe"/>).
/// </summary>
internal static partial class WarmPoolLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolReplenisherStarted, EventName = nameof(NeonTenancyEventId.WarmPoolReplenisherStarted), Level = LogLevel.Information, Message = "Warm pool replenisher started: every {Interval}, {Pools} pool(s), on one instance at a time")]
    public static partial void ReplenisherStarted(ILogger logger, TimeSpan interval, int pools);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolPassCompleted, EventName = nameof(NeonTenancyEventId.WarmPoolPassCompleted), Message = "Warm pool pass: {Created} created, {Migrated} migrated, {Recycled} recycled, {Failed} failed; {Ready} ready of {Target} in {ElapsedMilliseconds:0} ms")]
    public static partial void PassCompleted(ILogger logger, LogLevel level, int created, int migrated, int recycled, int failed, int ready, int target, double elapsedMilliseconds);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolLeaseHeldElsewhere, EventName = nameof(NeonTenancyEventId.WarmPoolLeaseHeldElsewhere), Level = LogLevel.Debug, Message = "Warm pool pass skipped on this instance: another instance holds the lease {Lease}")]
    public static partial void LeaseHeldElsewhere(ILogger logger, string lease);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolProjectCreated, EventName = nameof(NeonTenancyEventId.WarmPoolProjectCreated), Level = LogLevel.Information, Message = "Warm pool entry {EntryId}: project {ProjectId} created for region '{Region}', plan class '{PlanClass}', schema version {SchemaVersion}; ready")]
    public static partial void ProjectCreated(ILogger logger, string entryId, string projectId, string region, string planClass, int schemaVersion);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolProjectMigrated, EventName = nameof(NeonTenancyEventId.WarmPoolProjectMigrated), Level = LogLevel.Information, Message = "Warm pool entry {EntryId}: project {ProjectId} migrated from schema version {From} to {To}")]
    public static partial void ProjectMigrated(ILogger logger, string entryId, string projectId, int from, int to);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolProjectRecycled, EventName = nameof(NeonTenancyEventId.WarmPoolProjectRecycled), Level = LogLevel.Information, Message = "Warm pool entry {EntryId}: project {ProjectId} recycled ({Reason})")]
    public static partial void ProjectRecycled(ILogger logger, string entryId, string? projectId, string reason);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolClaimSettled, EventName = nameof(NeonTenancyEventId.WarmPoolClaimSettled), Level = LogLevel.Debug, Message = "Warm pool entry {EntryId}: claim by tenant {TenantId} settled ({Outcome}); project {ProjectId} left to the tenant")]
    public static partial void ClaimSettled(ILogger logger, string entryId, string tenantId, string outcome, string? projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolStepFailed, EventName = nameof(NeonTenancyEventId.WarmPoolStepFailed), Level = LogLevel.Warning, Message = "Warm pool entry {EntryId}: {Step} of project {ProjectId} failed ({Reason}); the pass goes on")]
    public static partial void StepFailed(ILogger logger, Exception exception, string entryId, string step, string? projectId, string reason);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolSuspendFailed, EventName = nameof(NeonTenancyEventId.WarmPoolSuspendFailed), Level = LogLevel.Warning, Message = "Warm pool entry {EntryId}: the compute of project {ProjectId} could not be suspended ({Reason}); Neon suspends it after its timeout")]
    public static partial void SuspendFailed(ILogger logger, string entryId, string projectId, string reason);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolPassFailed, EventName = nameof(NeonTenancyEventId.WarmPoolPassFailed), Level = LogLevel.Error, Message = "Warm pool pass failed; the replenisher tries again in {Interval}")]
    public static partial void PassFailed(ILogger logger, Exception exception, TimeSpan interval);
}
