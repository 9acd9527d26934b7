using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Connection factory log messages: event ids 3000-3099. No secret is ever an argument.</summary>
internal static partial class ConnectionLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.DataSourceBuilt, EventName = nameof(NeonTenancyEventId.DataSourceBuilt), Level = LogLevel.Debug, Message = "Built the {Kind} data source of tenant {TenantId}")]
    public static partial void DataSourceBuilt(ILogger logger, string tenantId, TenantConnectionKind kind);

    [LoggerMessage(EventId = NeonTenancyEventId.DataSourceRetired, EventName = nameof(NeonTenancyEventId.DataSourceRetired), Level = LogLevel.Debug, Message = "The {Kind} data source of tenant {TenantId} left the cache")]
    public static partial void DataSourceRetired(ILogger logger, string tenantId, TenantConnectionKind kind);

    [LoggerMessage(EventId = NeonTenancyEventId.DataSourceDisposed, EventName = nameof(NeonTenancyEventId.DataSourceDisposed), Level = LogLevel.Debug, Message = "Disposed the {Kind} data source of tenant {TenantId}")]
    public static partial void DataSourceDisposed(ILogger logger, string tenantId, TenantConnectionKind kind);

    [LoggerMessage(EventId = NeonTenancyEventId.DataSourceDisposeFailed, EventName = nameof(NeonTenancyEventId.DataSourceDisposeFailed), Level = LogLevel.Warning, Message = "Disposing the {Kind} data source of tenant {TenantId} failed")]
    public static partial void DataSourceDisposeFailed(ILogger logger, Exception exception, string tenantId, TenantConnectionKind kind);

    [LoggerMessage(EventId = NeonTenancyEventId.TransientOpenFailure, EventName = nameof(NeonTenancyEventId.TransientOpenFailure), Level = LogLevel.Debug, Message = "Connecting to tenant {TenantId} ({Kind}) failed transiently (attempt {Attempt}, SQLSTATE {SqlState}); retrying in {Delay}")]
    public static partial void TransientOpenFailure(ILogger logger, Exception exception, string tenantId, TenantConnectionKind kind, int attempt, string? sqlState, TimeSpan delay);

    [LoggerMessage(EventId = NeonTenancyEventId.SlowFirstOpen, EventName = nameof(NeonTenancyEventId.SlowFirstOpen), Level = LogLevel.Information, Message = "The first connection to tenant {TenantId} ({Kind}) took {ElapsedMs} ms after {Attempts} attempts: its compute was probably waking from scale-to-zero or being restored from archive")]
    public static partial void SlowFirstOpen(ILogger logger, string tenantId, TenantConnectionKind kind, long elapsedMs, int attempts);

    [LoggerMessage(EventId = NeonTenancyEventId.OpenDeadlineExceeded, EventName = nameof(NeonTenancyEventId.OpenDeadlineExceeded), Level = LogLevel.Warning, Message = "Tenant {TenantId} ({Kind}) did not accept a connection within {ElapsedMs} ms ({Attempts} attempts)")]
    public static partial void OpenDeadlineExceeded(ILogger logger, string tenantId, TenantConnectionKind kind, long elapsedMs, int attempts);

    [LoggerMessage(EventId = NeonTenancyEventId.AuthenticationFailedReloading, EventName = nameof(NeonTenancyEventId.AuthenticationFailedReloading), Level = LogLevel.Information, Message = "Authentication to tenant {TenantId} ({Kind}) failed; reloading its record from the catalog (credentials rotated?)")]
    public static partial void AuthenticationFailedReloading(ILogger logger, string tenantId, TenantConnectionKind kind);

    [LoggerMessage(EventId = NeonTenancyEventId.WaitingForConnectionBudget, EventName = nameof(NeonTenancyEventId.WaitingForConnectionBudget), Level = LogLevel.Debug, Message = "Waiting for the connection budget ({Budget}) to open a connection to tenant {TenantId}")]
    public static partial void WaitingForBudget(ILogger logger, string tenantId, int budget);

    [LoggerMessage(EventId = NeonTenancyEventId.ConnectionBudgetExceeded, EventName = nameof(NeonTenancyEventId.ConnectionBudgetExceeded), Level = LogLevel.Warning, Message = "The connection budget ({Budget}) stayed spent for {ElapsedMs} ms; refused a connection to tenant {TenantId}. Holding it: {OpenConnections} connections open or opening on {DataSources} data sources, {IdleConnections} idle in pools; {WaitingCallers} callers waiting")]
    public static partial void BudgetExceeded(ILogger logger, string tenantId, int budget, long elapsedMs, int openConnections, int dataSources, int idleConnections, int waitingCallers);
}
