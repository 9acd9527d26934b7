using System.ComponentModel.DataAnnotations;

namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="PostgresTenantCatalog"/>; bound from the <c>NeonTenancy:Catalog</c> configuration section by
/// <c>UsePostgresCatalog()</c> when <c>AddNeonTenancy</c> was given a configuration section.
/// </summary>
public sealed class PostgresTenantCatalogOptions
{
    /// <summary>The default <see cref="Schema"/>.</summary>
    public const string DefaultSchema = "neon_tenancy";

    /// <summary>
    /// The Npgsql connection string of the catalog database. Required. The role needs CREATE on the database the
    /// first time (the catalog creates its schema), then read/write on the schema's tables.
    /// </summary>
    [Required(ErrorMessage = "NeonTenancy:Catalog:ConnectionString is required for the PostgreSQL tenant catalog.")]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The PostgreSQL schema holding the catalog's tables. Default <c>neon_tenancy</c>. Lowercase letters, digits and
    /// '_', starting with a letter or '_', at most 48 characters. Several catalogs can share one database with different schemas.
    /// </summary>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>
    /// The connection string the change-feed listener uses; it must be a direct (not PgBouncer-pooled) connection,
    /// because LISTEN needs a session; a Neon pooler host (one containing <c>-pooler.</c>) fails validation at start.
    /// Default: <see cref="ConnectionString"/>, with Neon's <c>-pooler</c> host suffix removed.
    /// </summary>
    public string? ListenerConnectionString { get; set; }

    /// <summary>The first delay before the listener reconnects after losing its connection; doubles up to <see cref="ListenerMaxReconnectDelay"/>. Default 1 second.</summary>
    public TimeSpan ListenerReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between listener reconnection attempts. Default 30 seconds.</summary>
    public TimeSpan ListenerMaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the listener waits without a notification before it checks that its connection is alive. Default 30 seconds.</summary>
    public TimeSpan ListenerKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);
}
