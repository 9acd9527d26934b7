using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Migration log messages: event ids 8100-8199. No connection string is ever an argument.</summary>
internal static partial class MigrationLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.TenantMigrated, EventName = nameof(NeonTenancyEventId.TenantMigrated), Level = LogLevel.Information, Message = "Tenant {TenantId}: schema migrated from version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string tenantId, int from, int to);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantMigrationFailed, EventName = nameof(NeonTenancyEventId.TenantMigrationFailed), Level = LogLevel.Error, Message = "Tenant {TenantId}: schema migration from version {From} to {To} failed; restored to its checkpoint: {Restored}")]
    public static partial void Failed(ILogger logger, Exception exception, string tenantId, int from, int to, bool restored);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantMigrationRestoreFailed, EventName = nameof(NeonTenancyEventId.TenantMigrationRestoreFailed), Level = LogLevel.Critical, Message = "Tenant {TenantId}: the restore to checkpoint {CheckpointId} after a failed migration failed; the tenant may be partly migrated (restore it by hand with ITenantCheckpoints)")]
    public static partial void RestoreFailed(ILogger logger, Exception exception, string tenantId, string checkpointId);

    [LoggerMessage(EventId = NeonTenancyEventId.TenantMigratingOnFirstConnection, EventName = nameof(NeonTenancyEventId.TenantMigratingOnFirstConnection), Level = LogLevel.Information, Message = "Tenant {TenantId}: migrating from schema version {From} to {To} before its first connection")]
    public static partial void MigratingOnFirstConnection(ILogger logger, string tenantId, int from, int to);
}
