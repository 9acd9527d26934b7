using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Exclusion per tenant across every process sharing a PostgreSQL catalog: a session advisory lock, held on a dedicated
/// unpooled connection, keyed by a hash of the catalog schema and the tenant id. A crashed holder's connection closes and
/// PostgreSQL releases its lock, so a dead attempt never blocks the next one (no lease to expire). Inside one process
/// callers first queue on an in-process lock, so each process holds at most one connection per tenant.
/// </summary>
internal sealed class PostgresAdvisoryTenantLock : ITenantLock, IAsyncDisposable
{
    private readonly KeyedAsyncLock _local = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    public PostgresAdvisoryTenantLock(string connectionString, string schema, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        // Unpooled: closing the connection ends the session, which releases the lock even if unlocking failed.
        _dataSource = PostgresTenantCatalog.CreateDataSource(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "Neon.Tenancy provisioning lock" }.ConnectionString, loggerFactory);
        _schema = schema;
    }

    public async ValueTask<IAsyncDisposable> AcquireAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        var local = await _local.AcquireAsync(tenantId.Value, cancellationToken).ConfigureAwait(false);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = Key(tenantId) });
                command.CommandTimeout = 0;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Releaser(connection, local);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    internal long Key(TenantId tenantId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("neon.tenancy/provision/" + _schema + "/" + tenantId.Value), hash);
        return BitConverter.ToInt64(hash[..8]);
    }

    private sealed class Releaser(NpgsqlConnection connection, IAsyncDisposable local) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            try
            {
                // Closing the unpooled connection ends the session and with it the advisory lock.
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                await local.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
