using Npgsql;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>An application's schema in one statement: runs <paramref name="createTable"/> (idempotent) as the owner on the direct connection.</summary>
internal sealed class CreateTableInitializer(string createTable) : ITenantDatabaseInitializer
{
    public async Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(context.DirectConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(createTable, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return 1;
    }
}
