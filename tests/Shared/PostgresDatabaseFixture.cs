using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;
using Npgsql;

namespace Neon.Tenancy.Tests.Infrastructure;

/// <summary>A fresh database per test class, dropped afterwards, so classes run in parallel without sharing state. Linked into each test project that needs one.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private string? _connectionString;

    public string DatabaseName { get; } = "catalog_test_" + Guid.NewGuid().ToString("N");

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() => _connectionString = await TestPostgres.CreateDatabaseAsync(DatabaseName);

    public async Task DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(DatabaseName);
        }
    }

    public PostgresTenantCatalog CreateCatalog(
        string schema,
        TimeProvider? timeProvider = null,
        Action<PostgresTenantCatalogOptions>? configure = null,
        ILogger<PostgresTenantCatalog>? logger = null,
        ILoggerFactory? loggerFactory = null)
    {
        var options = new PostgresTenantCatalogOptions
        {
            ConnectionString = ConnectionString,
            Schema = schema,
            ListenerReconnectDelay = TimeSpan.FromMilliseconds(100),
            ListenerMaxReconnectDelay = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return new PostgresTenantCatalog(Options.Create(options), timeProvider ?? TimeProvider.System, logger ?? NullLogger<PostgresTenantCatalog>.Instance, loggerFactory);
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N");
}
