using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Neon.Tenancy;

/// <summary>
/// Creates or upgrades the catalog's schema: the versions of <see cref="PostgresCatalogSql.Migrations"/> not applied
/// yet, in one transaction serialized across instances by a transaction-scoped advisory lock. Idempotent; a schema
/// newer than this package refuses to run.
/// </summary>
internal sealed class PostgresCatalogMigrator(NpgsqlDataSource dataSource, PostgresCatalogSql sql, TimeProvider timeProvider, ILogger logger)
{
    /// <exception cref="InvalidOperationException">The schema is newer than this version of the package.</exception>
    /// <exception cref="NpgsqlException">The database is unreachable or the role may not create the schema.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var command = new NpgsqlCommand(sql.LockMigrations, connection, transaction))
                {
                    PostgresCatalogRows.AddText(command, sql.Schema);
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(connection, transaction, sql.CreateSchema, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, sql.CreateVersionTable, cancellationToken).ConfigureAwait(false);
                int current;
                using (var command = new NpgsqlCommand(sql.ReadVersion, connection, transaction))
                {
                    current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                }

                if (current > sql.LatestVersion)
                {
                    throw new InvalidOperationException(
                        $"The tenant catalog schema '{sql.Schema}' is at version {current}, newer than this version of Neon.Tenancy supports ({sql.LatestVersion}). Upgrade the package.");
                }

                for (var version = current + 1; version <= sql.LatestVersion; version++)
                {
                    foreach (var statement in sql.Migrations[version - 1])
                    {
                        await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                    }

                    using var record = new NpgsqlCommand(sql.WriteVersion, connection, transaction);
                    record.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Integer });
                    record.Parameters.Add(new NpgsqlParameter { Value = CatalogRules.Now(timeProvider), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (current < sql.LatestVersion)
                {
                    CatalogLog.SchemaUpgraded(logger, sql.Schema, current, sql.LatestVersion);
                }
                else
                {
                    CatalogLog.SchemaCurrent(logger, sql.Schema, current);
                }
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
