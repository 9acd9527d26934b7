using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Catalog log messages: event ids 2000-2049. No secret is ever an argument.</summary>
internal static partial class CatalogLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.CatalogSchemaUpgraded, EventName = nameof(NeonTenancyEventId.CatalogSchemaUpgraded), Level = LogLevel.Information, Message = "Tenant catalog schema {Schema} upgraded from version {FromVersion} to {ToVersion}")]
    public static partial void SchemaUpgraded(ILogger logger, string schema, int fromVersion, int toVersion);

    [LoggerMessage(EventId = NeonTenancyEventId.CatalogSchemaCurrent, EventName = nameof(NeonTenancyEventId.CatalogSchemaCurrent), Level = LogLevel.Debug, Message = "Tenant catalog schema {Schema} is at version {Version}")]
    public static partial void SchemaCurrent(ILogger logger, string schema, int version);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantReserved, EventName = nameof(NeonTenancyEventId.TenantReserved), Level = LogLevel.Information, Message = "Tenant {TenantId} reserved")]
    public static partial void Reserved(ILogger logger, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.CatalogUpdateConflict, EventName = nameof(NeonTenancyEventId.CatalogUpdateConflict), Level = LogLevel.Debug, Message = "Tenant {TenantId} update refused: expected version {ExpectedVersion}, stored {ActualVersion}")]
    public static partial void UpdateConflict(ILogger logger, string tenantId, long expectedVersion, long actualVersion);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantRemoved, EventName = nameof(NeonTenancyEventId.TenantRemoved), Level = LogLevel.Information, Message = "Tenant {TenantId} removed from the catalog")]
    public static partial void Removed(ILogger logger, string tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.ChangeHandlerFailed, EventName = nameof(NeonTenancyEventId.ChangeHandlerFailed), Level = LogLevel.Error, Message = "A tenant change handler threw for a {Kind} change of tenant {TenantId}")]
    public static partial void ChangeHandlerFailed(ILogger logger, Exception exception, TenantChangeKind kind, string? tenantId);

    [LoggerMessage(EventId = NeonTenancyEventId.ChangeListenerStarted, EventName = nameof(NeonTenancyEventId.ChangeListenerStarted), Level = LogLevel.Information, Message = "Listening for tenant catalog changes on channel {Channel}")]
    public static partial void Listening(ILogger logger, string channel);

    [LoggerMessage(EventId = NeonTenancyEventId.ChangeListenerDisconnected, EventName = nameof(NeonTenancyEventId.ChangeListenerDisconnected), Level = LogLevel.Warning, Message = "Tenant catalog change listener lost its connection; reconnecting in {Delay}")]
    public static partial void ListenerDisconnected(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = NeonTenancyEventId.MalformedChangeNotification, EventName = nameof(NeonTenancyEventId.MalformedChangeNotification), Level = LogLevel.Warning, Message = "Ignored a malformed tenant catalog notification on channel {Channel}")]
    public static partial void MalformedNotification(ILogger logger, string channel);

    [LoggerMessage(EventId = NeonTenancyEventId.ChangeListenerStopped, EventName = nameof(NeonTenancyEventId.ChangeListenerStopped), Level = LogLevel.Debug, Message = "Tenant catalog change listener stopped")]
    public static partial void ListenerStopped(ILogger logger);
}
