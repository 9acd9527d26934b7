using Npgsql;

namespace Neon.Tenancy;

/// <summary>Options of <see cref="ITenantDatabaseProvider"/>. Every member has a documented default.</summary>
public sealed class TenantProvisioningOptions
{
    /// <summary>The database created in every tenant project when the request names none. Default <c>neondb</c>.</summary>
    public string DefaultDatabaseName { get; set; } = "neondb";

    /// <summary>The owner role created in every tenant project when the request names none. Default <c>neondb_owner</c>.</summary>
    public string DefaultRoleName { get; set; } = "neondb_owner";

    /// <summary>
    /// The SSL mode written into stored connection strings. Default <see langword="null"/>: <see cref="SslMode.Require"/>
    /// for every host except loopback addresses (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>::1</c>, as used by the fake
    /// Neon server), which get <see cref="SslMode.Prefer"/>.
    /// </summary>
    public SslMode? SslMode { get; set; }

    /// <summary>How long to wait for Neon's operations per step. Default <see langword="null"/>: the API client's <c>OperationTimeout</c>.</summary>
    public TimeSpan? OperationTimeout { get; set; }

    /// <summary>Neon's recovery window for deleted projects, used to report the recovery deadline. Default 7 days.</summary>
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromDays(7);
}
