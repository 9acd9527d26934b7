using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Usage log messages: event ids 6000-6019. No secret is ever an argument.</summary>
internal static partial class UsageLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.UsageHistoryCacheHit, EventName = nameof(NeonTenancyEventId.UsageHistoryCacheHit), Level = LogLevel.Debug, Message = "Usage history served from cache ({Tenants} tenants, {Granularity}, expires {ExpiresAt:O})")]
    public static partial void HistoryCacheHit(ILogger logger, int tenants, UsageGranularity granularity, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = NeonTenancyEventId.UsageHistoryProjectMissing, EventName = nameof(NeonTenancyEventId.UsageHistoryProjectMissing), Level = LogLevel.Warning, Message = "Usage history: Neon returned no data for project {ProjectId} of tenant {TenantId}")]
    public static partial void HistoryProjectMissing(ILogger logger, string projectId, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantUsageReadFailed, EventName = nameof(NeonTenancyEventId.TenantUsageReadFailed), Level = LogLevel.Warning, Message = "Usage of tenant {TenantId} could not be read")]
    public static partial void TenantReadFailed(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.UsageThresholdCrossed, EventName = nameof(NeonTenancyEventId.UsageThresholdCrossed), Level = LogLevel.Information, Message = "Tenant {TenantId} (plan {Plan}) {Level} its {Metric} limit: {Used} of {Limit} ({Percent:0.0} %)")]
    public static partial void ThresholdCrossed(ILogger logger, string tenantId, string plan, UsageThresholdLevel level, UsageLimitMetric metric, long used, long limit, double percent);

    [LoggerMessage(EventId = NeonTenancyEventId.UsageObserverFailed, EventName = nameof(NeonTenancyEventId.UsageObserverFailed), Level = LogLevel.Error, Message = "Usage threshold observer {Observer} failed for tenant {TenantId}; the read goes on")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetUsageRead, EventName = nameof(NeonTenancyEventId.FleetUsageRead), Level = LogLevel.Information, Message = "Fleet usage read: {Read} tenants read, {WithoutProject} without a project, {Failed} failed, {ElapsedSeconds:0.000} s")]
    public static partial void FleetRead(ILogger logger, int read, int withoutProject, int failed, double elapsedSeconds);

    [LoggerMessage(EventId = NeonTenancyEventId.UsageHistoryRead, EventName = nameof(NeonTenancyEventId.UsageHistoryRead), Level = LogLevel.Information, Message = "Usage history read: {Tenants} tenants, {Granularity}, {Batches} batches of at most 100 projects, {ElapsedSeconds:0.000} s")]
    public static partial void HistoryReadInBatches(ILogger logger, int tenants, UsageGranularity granularity, int batches, double elapsedSeconds);
}
