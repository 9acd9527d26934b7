using System.ComponentModel.DataAnnotations;

namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="PostgresTenantCatalog"/>; bound from the <c>NeonTenancy:Catalog</c> configuration section by
/// <c>UsePostgresCatalog()</c> when <c>AddNeonTenancy</c> was given a configuration section.
/// </summary>
public sealed class PostgresTenantCatalogOptions
{
    // Each single-setting rule is declared once, here, and checked by the generated PostgresTenantCatalogOptionsValidator;
    // the rule across settings is in PostgresTenantCatalogOptionsCrossFieldValidator. No message carries a connection string.
    private const string Path = NeonTenancySections.CatalogPath + ":";

    /// <summary>The default <see cref="Schema"/>.</summary>
    public const string DefaultSchema = "neon_tenancy";

    /// <summary>
    /// The Npgsql connection string of the catalog database. Required. The role needs CREATE on the database the
    /// first time (the catalog creates its schema), then read/write on the schema's tables.
    /// </summary>
    [Required(ErrorMessage = Path + "ConnectionString is required for the PostgreSQL tenant catalog.")]
    [NpgsqlConnectionString(ErrorMessage = Path + "ConnectionString is not a valid Npgsql connection string.")]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL schema holding the catalog's tables. Default <c>neon_tenancy</c>. Lowercase letters, digits and
    /// '_', starting with a letter or '_', at most 48 characters. Several catalogs can share one database with different schemas.
    /// </summary>
    [CatalogSchemaName(ErrorMessage = Path + "Schema must be 1 to 48 characters of a-z, 0-9 and '_', starting with a letter or '_'.")]
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// The connection string the change-feed listener uses; it must be a direct (not PgBouncer-pooled) connection,
    /// because LISTEN needs a session; a Neon pooler host (one containing <c>-pooler.</c>) fails validation at start.
    /// Default: <see cref="ConnectionString"/>, with Neon's <c>-pooler</c> host suffix removed.
    /// </summary>
    [NpgsqlConnectionString(ErrorMessage = Path + "ListenerConnectionString is not a valid Npgsql connection string.")]
    [DirectEndpoint(ErrorMessage = Path + "ListenerConnectionString points at a Neon pooler host (one containing '-pooler.'): LISTEN needs a session, so use the direct endpoint (the same host without '-pooler'), or leave the setting unset to derive it from " + Path + "ConnectionString.")]
    public string? ListenerConnectionString { get; set; }

    /// <summary>The first delay before the listener reconnects after losing its connection; doubles up to <see cref="ListenerMaxReconnectDelay"/>. Default 1 second; greater than zero, at most 10 minutes.</summary>
    [TimeSpanRange("00:00:00", "00:10:00", MinimumIsExclusive = true, ErrorMessage = Path + "ListenerReconnectDelay must be greater than zero and at most {2}.")]
    public TimeSpan ListenerReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between listener reconnection attempts. Default 30 seconds; at least <see cref="ListenerReconnectDelay"/>, at most 1 hour.</summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = Path + "ListenerMaxReconnectDelay must be at most {2}.")]
    public TimeSpan ListenerMaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the listener waits without a notification before it checks that its connection is alive. Default 30 seconds; 1 second to 1 hour.</summary>
    [TimeSpanRange("00:00:01", "01:00:00", ErrorMessage = Path + "ListenerKeepAliveInterval must be between {1} and {2}.")]
    public TimeSpan ListenerKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}
