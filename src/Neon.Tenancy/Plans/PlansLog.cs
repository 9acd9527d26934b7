using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Plan log messages: event ids 5000-5019. No secret is ever an argument.</summary>
internal static partial class PlansLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.PlanChanged, EventName = nameof(NeonTenancyEventId.PlanChanged), Level = LogLevel.Information, Message = "Tenant {TenantId}: plan changed from {OldPlan} to {NewPlan} (applied to Neon: {Applied})")]
    public static partial void PlanChanged(ILogger logger, string tenantId, string oldPlan, string newPlan, bool applied);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantSuspended, EventName = nameof(NeonTenancyEventId.TenantSuspended), Level = LogLevel.Information, Message = "Tenant {TenantId}: suspended (period quotas set to 1 on project {ProjectId})")]
    public static partial void Suspended(ILogger logger, string tenantId, string projectId);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantResumed, EventName = nameof(NeonTenancyEventId.TenantResumed), Level = LogLevel.Information, Message = "Tenant {TenantId}: resumed on plan {Plan}")]
    public static partial void Resumed(ILogger logger, string tenantId, string plan);

    [LoggerMessage(EventId = NeonTenancyEventId.PlanDriftFound, EventName = nameof(NeonTenancyEventId.PlanDriftFound), Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Count} settings of project {ProjectId} differ from plan {Plan}")]
    public static partial void DriftFound(ILogger logger, string tenantId, string projectId, int count, string plan);

    [LoggerMessage(EventId = NeonTenancyEventId.PlanDriftSetting, EventName = nameof(NeonTenancyEventId.PlanDriftSetting), Level = LogLevel.Debug, Message = "Tenant {TenantId}: {Setting} is {Actual}, plan {Plan} expects {Expected}")]
    public static partial void DriftSetting(ILogger logger, string tenantId, string setting, string? actual, string plan, string? expected);

    [LoggerMessage(EventId = NeonTenancyEventId.PlanDriftFixed, EventName = nameof(NeonTenancyEventId.PlanDriftFixed), Level = LogLevel.Information, Message = "Tenant {TenantId}: drift fixed (project: {Project}, endpoint: {Endpoint})")]
    public static partial void DriftFixed(ILogger logger, string tenantId, bool project, bool endpoint);

    [LoggerMessage(EventId = NeonTenancyEventId.ChangedDuringReconcile, EventName = nameof(NeonTenancyEventId.ChangedDuringReconcile), Level = LogLevel.Information, Message = "Tenant {TenantId}: changed while being reconciled; its new plan or state was applied by that change")]
    public static partial void ChangedDuringReconcile(ILogger logger, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.ReconcileFailed, EventName = nameof(NeonTenancyEventId.ReconcileFailed), Level = LogLevel.Error, Message = "Tenant {TenantId}: reconcile failed")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.ReconcileCompleted, EventName = nameof(NeonTenancyEventId.ReconcileCompleted), Level = LogLevel.Information, Message = "Plan reconcile: {Checked} tenants checked, {Drifted} drifted, {Fixed} fixed, {Failed} failed (dry run: {DryRun})")]
    public static partial void Reconciled(ILogger logger, int @checked, int drifted, int @fixed, int failed, bool dryRun);

    [LoggerMessage(EventId = NeonTenancyEventId.EndpointNotSuspended, EventName = nameof(NeonTenancyEventId.EndpointNotSuspended), Level = LogLevel.Debug, Message = "Tenant {TenantId}: endpoint {EndpointId} not suspended at once ({StatusCode}); the quota suspends it")]
    public static partial void EndpointNotSuspended(ILogger logger, string tenantId, string endpointId, int? statusCode);
}
