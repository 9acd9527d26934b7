namespace Neon.Tenancy.DbUp;

/// <summary>
/// The event ids of the log events Neon.Tenancy.DbUp writes, as constants to filter on; each event's
/// <see cref="Microsoft.Extensions.Logging.EventId.Name"/> is the name of its constant. Neon.Tenancy.DbUp uses 9000-9099;
/// ids never change meaning.
/// </summary>
public static class DbUpMigrationEventId
{
    /// <summary>9000: A message from DbUp, at Debug whatever DbUp's own level (script started, journal read, a statement's error).</summary>
    public const int DbUpMessage = 9000;

    /// <summary>9001: SQL scripts were applied to a tenant: how many, and its schema version now (Information).</summary>
    public const int ScriptsApplied = 9001;

    /// <summary>9002: A tenant was already at its target: no script ran (Debug).</summary>
    public const int TenantCurrent = 9002;
}
