using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Warm-pool log messages of the claim: event ids 8210-8219. Tenant ids, project ids, regions and plan classes are not secrets.</summary>
internal static partial class WarmPoolLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolNotPooled, EventName = nameof(NeonTenancyEventId.WarmPoolNotPooled), Level = LogLevel.Debug, Message = "Tenant {TenantId}: the sign-up does not fit the warm pool ({Reason}); provisioned cold")]
    public static partial void NotPooled(ILogger logger, string tenantId, string reason);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolEmpty, EventName = nameof(NeonTenancyEventId.WarmPoolEmpty), Level = LogLevel.Information, Message = "Tenant {TenantId}: the warm pool of region {Region}, plan class {PlanClass} has no ready project at schema version {SchemaVersion} or above; provisioned cold")]
    public static partial void PoolEmpty(ILogger logger, string tenantId, string region, string planClass, int schemaVersion);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolClaimed, EventName = nameof(NeonTenancyEventId.WarmPoolClaimed), Level = LogLevel.Information, Message = "Tenant {TenantId} claimed warm-pool project {ProjectId} (region {Region}, plan class {PlanClass})")]
    public static partial void Claimed(ILogger logger, string tenantId, string projectId, string region, string planClass);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolClaimResumed, EventName = nameof(NeonTenancyEventId.WarmPoolClaimResumed), Level = LogLevel.Information, Message = "Tenant {TenantId}: finishing the claim of warm-pool project {ProjectId} an earlier call began")]
    public static partial void ResumingClaim(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.WarmPoolClaimedEntryNotRemoved, EventName = nameof(NeonTenancyEventId.WarmPoolClaimedEntryNotRemoved), Level = LogLevel.Warning, Message = "Tenant {TenantId} is ready, but warm-pool entry {EntryId} could not be removed; the replenisher removes it")]
    public static partial void ClaimedEntryNotRemoved(ILogger logger, Exception exception, string tenantId, string entryId);
}
