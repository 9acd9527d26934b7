using Npgsql;

namespace Neon.Tenancy.Tests.Infrastructure;

/// <summary>One SQL statement against a tenant's database, through the connection factory or a connection string.</summary>
internal static class TenantSql
{
    /// <summary>The first column of the first row of <paramref name="sql"/>, on a connection the factory opens.</summary>
    public static async Task<T> ScalarAsync<T>(ITenantConnectionFactory factory, TenantId tenantId, TenantConnectionKind kind, string sql)
    {
        await using var connection = await factory.OpenConnectionAsync(tenantId, kind);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, on an unpooled connection.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = await OpenUnpooledAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Runs <paramref name="sql"/> on an unpooled connection.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = await OpenUnpooledAsync(connectionString);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenUnpooledAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
