using Npgsql;

namespace Neon.Tenancy.DbUp.Tests.Infrastructure;

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

/// <summary>A fresh database per test class, dropped afterwards, so classes run in parallel without sharing state.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private string? _connectionString;

    public string DatabaseName { get; } = "dbup_test_" + Guid.NewGuid().ToString("N");

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var admin = TestPostgres.AdminConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = DatabaseName }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_connectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(TestPostgres.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
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
