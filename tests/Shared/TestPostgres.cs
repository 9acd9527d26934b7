using Npgsql;

namespace Neon.Tenancy.Tests;

/// <summary>
/// The real PostgreSQL server the tests run against (started by eng/test.sh), and the databases a test fixture makes on
/// it. Linked into each test project that needs a server (namespace <c>Neon.Tenancy.Tests</c>, imported globally by the
/// others).
/// </summary>
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

    /// <summary>Creates an empty database; returns its connection string (as the admin role).</summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        var admin = AdminConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database, closing this process's pooled connections and forcing out the others.</summary>
    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
