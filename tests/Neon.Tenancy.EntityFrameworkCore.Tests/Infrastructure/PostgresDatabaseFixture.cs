using Npgsql;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>The real PostgreSQL server the tests run against (started by eng/test.sh).</summary>
internal static class TestPostgres
{
    public const string Variable = "NEON_TENANCY_TEST_POSTGRES";

    /// <summary>The admin connection string. Missing is a failure, never a skip.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set. These integration tests need a real PostgreSQL server: run them with `bash eng/test.sh` " +
                $"(it starts a throwaway server and sets {Variable}), or set {Variable} to an admin connection string.");
}

/// <summary>
/// A fresh database per test class (copied from Neon.Tenancy.Tests), dropped afterwards, so classes run in parallel
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
        var admin = TestPostgres.AdminConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestPostgres.AdminConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
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
