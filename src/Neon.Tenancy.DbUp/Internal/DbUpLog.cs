using System.Globalization;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy.DbUp.Internal;

/// <summary>Log messages of Neon.Tenancy.DbUp: event ids 9000-9099 (<see cref="DbUpMigrationEventId"/>). No secret is ever an argument.</summary>
internal static partial class DbUpLog
{
    [LoggerMessage(EventId = DbUpMigrationEventId.DbUpMessage, EventName = nameof(DbUpMigrationEventId.DbUpMessage), Level = LogLevel.Debug, Message = "DbUp, tenant {TenantId}: {Message}")]
    public static partial void DbUpMessage(ILogger logger, Exception? exception, string tenantId, string message);

    [LoggerMessage(EventId = DbUpMigrationEventId.ScriptsApplied, EventName = nameof(DbUpMigrationEventId.ScriptsApplied), Level = LogLevel.Information, Message = "Applied {Applied} SQL script(s) to tenant {TenantId}: schema version {Version} of {TargetVersion}")]
    public static partial void ScriptsApplied(ILogger logger, string tenantId, int applied, int version, int targetVersion);

    [LoggerMessage(EventId = DbUpMigrationEventId.TenantCurrent, EventName = nameof(DbUpMigrationEventId.TenantCurrent), Level = LogLevel.Debug, Message = "Tenant {TenantId} is at schema version {Version}: no SQL script to apply")]
    public static partial void TenantCurrent(ILogger logger, string tenantId, int version);
}

/// <summary>
/// DbUp's log, routed to <see cref="ILogger"/> at Debug whatever DbUp's level: the migrator's exception and its own
/// log lines say what matters. DbUp logs script names, statements' errors and journal steps; this migrator never gives
/// it a connection string, so it has none to log.
/// </summary>
internal sealed class DbUpUpgradeLog(ILogger logger, string tenantId) : IUpgradeLog
{
    public void LogTrace(string format, params object[] args) => Write(null, format, args);

    public void LogDebug(string format, params object[] args) => Write(null, format, args);

    public void LogInformation(string format, params object[] args) => Write(null, format, args);

    public void LogWarning(string format, params object[] args) => Write(null, format, args);

    public void LogError(string format, params object[] args) => Write(null, format, args);

    public void LogError(Exception ex, string format, params object[] args) => Write(ex, format, args);

    private void Write(Exception? exception, string format, object[] args)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        DbUpLog.DbUpMessage(logger, exception, tenantId, Format(format, args));
    }

    /// <summary>DbUp's messages are composite formats (<c>{0}</c>); one without arguments is taken as it is.</summary>
    private static string Format(string format, object[] args)
    {
        if (args is not { Length: > 0 })
        {
            return format;
        }

        try
        {
            return string.Format(CultureInfo.InvariantCulture, format, args);
        }
        catch (FormatException)
        {
            return format;
        }
    }
}
