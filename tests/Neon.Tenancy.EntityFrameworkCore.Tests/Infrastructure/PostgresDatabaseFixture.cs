using Npgsql;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A fresh database per test class (as in Neon.Tenancy.Tests), dropped afterwards, so classes run in parallel
/// without sharing state; a migration test wants an empty database of its own, so <see cref="CreateDatabaseAsync"/> adds
/// more, dropped with it.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private string? _connectionString;

    public string DatabaseName { get; } = "efcore_test_" + Guid.NewGuid().ToString("N");

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync() => _connectionString = await CreateAsync(DatabaseName);

    /// <summary>Another empty database, dropped with the fixture; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => CreateAsync(DatabaseName + "_" + _databases.Count);

    private async Task<string> CreateAsync(string name)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(name);
        _databases.Add(name);
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _databases)
        {
            await TestPostgres.DropDatabaseAsync(name);
        }
    }

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }
}
