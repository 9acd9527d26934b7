using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The grants of a tenant's least-privilege application role, applied as the owner on the direct connection: CONNECT on
/// the database, USAGE on schema <c>public</c>, SELECT/INSERT/UPDATE/DELETE on its tables, USAGE/SELECT on its
/// sequences, and the same through <c>ALTER DEFAULT PRIVILEGES FOR ROLE owner</c> for what the owner creates later. No
/// DDL right (CREATE, ALTER, DROP, TRUNCATE, REFERENCES, TRIGGER) is granted. Every statement is idempotent.
/// </summary>
internal static class TenantApplicationRoleGrants
{
    public static async Task ApplyAsync(string ownerDirectConnectionString, string applicationRole, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(applicationRole))
        {
            throw new InvalidOperationException("The application role's connection details name no user.");
        }

        var builder = new NpgsqlConnectionStringBuilder(ownerDirectConnectionString) { Pooling = false };
        var owner = Quote(builder.Username ?? string.Empty);
        var app = Quote(applicationRole);
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var database = Quote(connection.Database);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                string[] statements =
                [
                    $"GRANT CONNECT ON DATABASE {database} TO {app}",
                    $"GRANT USAGE ON SCHEMA public TO {app}",
                    $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
                    $"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
                    $"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
                    $"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}",
                ];
                foreach (var sql in statements)
                {
                    var command = new NpgsqlCommand(sql, connection, transaction);
                    await using (command.ConfigureAwait(false))
                    {
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Quotes an identifier (double quotes, embedded quotes doubled); NUL is refused.</summary>
    internal static string Quote(string identifier) =>
        identifier.Length == 0 || identifier.Contains('\0', StringComparison.Ordinal)
            ? throw new InvalidOperationException("A role or database name is empty or contains NUL.")
            : "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
