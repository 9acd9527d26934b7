using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// Many tenant databases on the local PostgreSQL server (one per tenant, like one Neon project per tenant), dropped
/// afterwards. Each test builds its own catalog and factory over them.
/// </summary>
public sealed class TenantDatabasesFixture : IAsyncLifetime
{
    public const int TenantCount = 12;

    public string Prefix { get; } = "cf_" + Guid.NewGuid().ToString("N")[..10];

    public string DatabaseName(int i) => $"{Prefix}_{i}";

    public TenantId Tenant(int i) => TenantId.Parse($"tenant-{i}");

    public string ConnectionString(int i, string? applicationName = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Database = DatabaseName(i) };
        if (applicationName is not null)
        {
            builder.ApplicationName = applicationName;
        }

        return builder.ConnectionString;
    }

    public async Task InitializeAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.AdminConnectionString);
        for (var i = 0; i < TenantCount; i++)
        {
            await using var command = dataSource.CreateCommand($"CREATE DATABASE \"{DatabaseName(i)}\"");
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestPostgres.AdminConnectionString);
        for (var i = 0; i < TenantCount; i++)
        {
            await using var command = dataSource.CreateCommand($"DROP DATABASE IF EXISTS \"{DatabaseName(i)}\" WITH (FORCE)");
            await command.ExecuteNonQueryAsync();
        }

        await using (var roles = dataSource.CreateCommand($"SELECT rolname FROM pg_roles WHERE rolname LIKE '{Prefix}%'"))
        {
            var names = new List<string>();
            await using (var reader = await roles.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    names.Add(reader.GetString(0));
                }
            }

            foreach (var name in names)
            {
                await using var drop = dataSource.CreateCommand($"DROP ROLE IF EXISTS \"{name}\"");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    public static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> AdminScalarAsync(NpgsqlDataSource admin, string sql)
    {
        await using var command = admin.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Physical connections to this fixture's tenant databases now (pg_stat_activity).</summary>
    public Task<long> PhysicalConnectionsAsync(NpgsqlDataSource admin) =>
        AdminScalarAsync(admin, $"SELECT count(*) FROM pg_stat_activity WHERE datname LIKE '{Prefix}\\_%'");

    /// <summary>
    /// A catalog holding every tenant as Ready, with pooled and direct secrets pointing at its database (as
    /// <paramref name="applicationName"/> when given, so pg_stat_activity can tell this catalog's connections apart).
    /// </summary>
    public async Task<(InMemoryTenantCatalog Catalog, IConnectionSecretProtector Protector)> CreateCatalogAsync(string? applicationName = null)
    {
        var catalog = new InMemoryTenantCatalog();
        var protector = SecretsTestData.CreateProtector();
        for (var i = 0; i < TenantCount; i++)
        {
            await AddReadyTenantAsync(catalog, protector, Tenant(i), ConnectionString(i, applicationName), ConnectionString(i, applicationName));
        }

        return (catalog, protector);
    }

    public static async Task<TenantRecord> AddReadyTenantAsync(ITenantCatalog catalog, IConnectionSecretProtector protector, TenantId id, string pooled, string direct, TenantState state = TenantState.Ready)
    {
        var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = id, Plan = "free" })).Record;
        return await catalog.UpdateAsync(record with
        {
            State = state,
            PooledConnectionSecret = protector.Protect(id, ConnectionSecretKind.Pooled, pooled),
            DirectConnectionSecret = protector.Protect(id, ConnectionSecretKind.Direct, direct),
        });
    }

    /// <summary>The database a connection landed in.</summary>
    public static async Task<string> CurrentDatabaseAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A catalog of every fixture tenant, a factory over it, and tenant <paramref name="tenant"/>'s pooled data source cached.</summary>
    internal async Task<(InMemoryTenantCatalog Catalog, IConnectionSecretProtector Protector, TenantConnectionFactory Factory, TenantId Id)> WarmFactoryAsync(int tenant)
    {
        var (catalog, protector) = await CreateCatalogAsync();
        var factory = CreateFactory(catalog, protector);
        await using (await factory.OpenConnectionAsync(Tenant(tenant)))
        {
        }

        return (catalog, protector, factory, Tenant(tenant));
    }

    internal static TenantConnectionFactory CreateFactory(ITenantCatalog catalog, IConnectionSecretProtector protector, Action<TenantConnectionOptions>? configure = null, TimeProvider? timeProvider = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var options = new TenantConnectionOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            OpenDeadline = TimeSpan.FromSeconds(15),
            FirstOpenDeadline = TimeSpan.FromSeconds(15),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(250),
        };
        configure?.Invoke(options);
        var validation = new TenantConnectionOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return new TenantConnectionFactory(catalog, protector, Options.Create(options), timeProvider ?? TimeProvider.System, loggerFactory: loggerFactory, meterFactory: meterFactory);
    }
}

[CollectionDefinition(Name)]
public sealed class TenantDatabasesCollection : ICollectionFixture<TenantDatabasesFixture>
{
    public const string Name = "Tenant databases";
}

/// <summary>Delegates to a catalog, counting reads; optionally holds them until <see cref="ReleaseReads"/> and hides the change feed (as when it is down).</summary>
internal sealed class CountingCatalog(ITenantCatalog inner, bool holdReads = false, bool feed = true) : ITenantCatalog
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reads;
    private int _lists;

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Pages listed.</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>Lets the held reads (and every later one) go on.</summary>
    public void ReleaseReads() => _released.TrySetResult();

    public Task<TenantReservationResult> ReserveAsync(TenantReservation reservation, CancellationToken cancellationToken = default) => inner.ReserveAsync(reservation, cancellationToken);

    public async Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        if (holdReads)
        {
            await _released.Task.WaitAsync(cancellationToken);
        }

        return await inner.GetAsync(tenantId, cancellationToken);
    }

    public Task<TenantPage> ListAsync(TenantQuery query, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        return inner.ListAsync(query, cancellationToken);
    }

    public Task<TenantRecord> UpdateAsync(TenantRecord record, CancellationToken cancellationToken = default) => inner.UpdateAsync(record, cancellationToken);

    public Task<bool> RemoveAsync(TenantId tenantId, CancellationToken cancellationToken = default) => inner.RemoveAsync(tenantId, cancellationToken);

    public IDisposable SubscribeToChanges(Action<TenantChange> handler) => feed ? inner.SubscribeToChanges(handler) : new NoSubscription();

    public Task<TenantCheckpoint> AddCheckpointAsync(TenantCheckpoint checkpoint, CancellationToken cancellationToken = default) =>
        inner.AddCheckpointAsync(checkpoint, cancellationToken);

    public Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        inner.GetCheckpointsAsync(tenantId, cancellationToken);

    public Task<bool> RemoveCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default) =>
        inner.RemoveCheckpointAsync(tenantId, checkpointId, cancellationToken);

    private sealed class NoSubscription : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
