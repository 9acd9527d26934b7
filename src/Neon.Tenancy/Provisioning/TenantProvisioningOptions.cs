using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="ITenantDatabaseProvider"/>, bound from the <c>NeonTenancy:Provisioning</c> configuration
/// section and validated at start (a bad value fails the host start with a message naming the setting). Every member
/// has a documented default.
/// </summary>
public sealed class TenantProvisioningOptions
{
    // Each single-setting rule is declared once, here, and checked by the generated TenantProvisioningOptionsValidator;
    // the rule across settings is in TenantProvisioningOptionsCrossFieldValidator.
    private const string Path = NeonTenancySections.ProvisioningPath + ":";

    /// <summary>The database created in every tenant project when the request names none. Default <c>neondb</c>.</summary>
    [TenantIdentifier(ErrorMessage = Path + "DefaultDatabaseName")]
    public string DefaultDatabaseName { get; set; } = "neondb";

    /// <summary>The owner role created in every tenant project when the request names none. Default <c>neondb_owner</c>.</summary>
    [TenantIdentifier(IsRole = true, ErrorMessage = Path + "DefaultRoleName")]
    public string DefaultRoleName { get; set; } = "neondb_owner";

    /// <summary>
    /// The SSL mode written into stored connection strings. Default <see langword="null"/>: <see cref="SslMode.Require"/>
    /// for every host except loopback addresses (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>::1</c>, as used by the fake
    /// Neon server), which get <see cref="SslMode.Prefer"/>.
    /// </summary>
    [EnumDataType(typeof(SslMode), ErrorMessage = Path + "SslMode must be one of Disable, Allow, Prefer, Require, VerifyCA, VerifyFull (or unset).")]
    public SslMode? SslMode { get; set; }

    /// <summary>How long to wait for Neon's operations per step. Default <see langword="null"/>: the API client's <c>OperationTimeout</c>.</summary>
    [TimeSpanRange("00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true, ErrorMessage = Path + "OperationTimeout must be greater than zero when set.")]
    public TimeSpan? OperationTimeout { get; set; }

    /// <summary>
    /// The name of a second, least-privilege role created in every tenant project for the application to connect as
    /// (for example <c>app</c>); default <see langword="null"/>: none, the application connects as the owner.
    /// </summary>
    /// <remarks>
    /// <para>During provisioning, after the <see cref="ITenantDatabaseInitializer"/> ran, the role is created through the
    /// Neon API (when an earlier attempt created it already, its password is reset instead), then these grants are applied
    /// as the owner on the direct connection: <c>CONNECT</c> on the database; <c>USAGE</c> on schema <c>public</c>;
    /// <c>SELECT, INSERT, UPDATE, DELETE</c> on all tables and <c>USAGE, SELECT</c> on all sequences in <c>public</c>; and
    /// <c>ALTER DEFAULT PRIVILEGES FOR ROLE</c> the owner with the same rights, so tables and sequences the owner creates
    /// later (migrations) are covered. No DDL right is granted: the role cannot create, alter or drop tables (PostgreSQL
    /// 15 and later, where <c>public</c> no longer grants CREATE to everyone).</para>
    /// <para>Its pooled and direct connection strings are stored encrypted like the owner's
    /// (<see cref="ConnectionSecretKind.ApplicationPooled"/>, <see cref="ConnectionSecretKind.ApplicationDirect"/>);
    /// <see cref="ITenantDatabaseProvider.RotateCredentialsAsync"/> rotates both roles; the connection factory uses it
    /// by default (<see cref="TenantConnectionOptions.ConnectionRole"/>).</para>
    /// <para>On Neon, roles created through the API are also members of <c>neon_superuser</c>, which carries privileges of
    /// its own (for example CREATEDB and CREATEROLE); the grants above are what the role gets inside the tenant database.
    /// Tenants provisioned before this option was set get no application role.</para>
    /// </remarks>
    [TenantIdentifier(IsRole = true, IsOptional = true, ErrorMessage = Path + "ApplicationRoleName")]
    public string? ApplicationRoleName { get; set; }

    /// <summary>Neon's recovery window for deleted projects, used to report the recovery deadline. Default 7 days.</summary>
    [TimeSpanRange("00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true, ErrorMessage = Path + "RecoveryWindow must be greater than zero.")]
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromDays(7);
}
