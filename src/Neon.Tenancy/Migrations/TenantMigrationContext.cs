using Npgsql;

namespace Neon.Tenancy;

/// <summary>What <see cref="ITenantMigrator.MigrateAsync"/> gets: the tenant, its recorded version, and its database on a direct connection as the owner role.</summary>
public sealed class TenantMigrationContext
{
    private readonly Func<CancellationToken, ValueTask<NpgsqlConnection>> _open;

    /// <summary>
    /// Creates a context over a connection string, to run a migrator outside the SDK (tests, tools): its connections are
    /// opened unpooled and are outside any connection budget.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="recordedVersion">The version the catalog records (0 to the target).</param>
    /// <param name="targetVersion">The version to reach (0 or more).</param>
    /// <param name="directConnectionString">A direct connection string to the tenant's database as its owner role.</param>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c> or <paramref name="directConnectionString"/> is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A version is negative.</exception>
    public TenantMigrationContext(TenantId tenantId, int recordedVersion, int targetVersion, string directConnectionString)
        : this(tenantId, recordedVersion, targetVersion, directConnectionString, OpenUnpooled(directConnectionString))
    {
    }

    internal TenantMigrationContext(TenantId tenantId, int recordedVersion, int targetVersion, string directConnectionString,
        Func<CancellationToken, ValueTask<NpgsqlConnection>> open)
    {
        TenantRequestRules.Validate(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(directConnectionString);
        ArgumentOutOfRangeException.ThrowIfNegative(recordedVersion);
        ArgumentOutOfRangeException.ThrowIfNegative(targetVersion);
        TenantId = tenantId;
        RecordedVersion = recordedVersion;
        TargetVersion = targetVersion;
        DirectConnectionString = directConnectionString;
        _open = open;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The schema version the catalog records for the tenant (the tool's history in the database is the truth).</summary>
    public int RecordedVersion { get; }

    /// <summary>The version to reach.</summary>
    public int TargetVersion { get; }

    /// <summary>
    /// The direct (not pooled: migrations need session state) connection string of the tenant's owner role, for tools that
    /// insist on one. A secret: never log it. Prefer <see cref="OpenConnectionAsync"/>, whose connections count in the
    /// connection budget.
    /// </summary>
    public string DirectConnectionString { get; }

    /// <summary>
    /// Opens a new direct connection to the tenant's database as its owner role, owned by the caller (dispose it). Each
    /// takes a slot of the global connection budget (<see cref="TenantConnectionOptions.ConnectionBudget"/>) until disposed.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the budget and connecting.</param>
    /// <returns>An open connection.</returns>
    public ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) => _open(cancellationToken);

    /// <summary>Opens unpooled connections: closing one ends its session (migrations may leave session state behind).</summary>
    internal static Func<CancellationToken, ValueTask<NpgsqlConnection>> OpenUnpooled(string connectionString)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        return cancellationToken => TenantConnectionStrings.OpenAsync(unpooled, cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString() => $"TenantMigrationContext {{ TenantId = {TenantId}, RecordedVersion = {RecordedVersion}, TargetVersion = {TargetVersion} }}";
}
