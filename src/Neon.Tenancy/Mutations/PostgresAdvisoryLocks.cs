using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The connection plumbing of the SDK's PostgreSQL advisory locks (<see cref="PostgresAdvisoryTenantLock"/>,
/// <see cref="PostgresAdvisoryInstanceLease"/>): each held lock is a session advisory lock on a dedicated unpooled
/// connection to the catalog's server, keyed by a hash of the catalog schema, a scope and a name. Releasing closes the
/// connection, which ends the session and the lock with it; a crashed holder's session ends too, so a dead holder never
/// blocks the next one (no lease to expire). One per container, registered by <c>UsePostgresCatalog()</c>.
/// </summary>
internal sealed class PostgresAdvisoryLocks : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    public PostgresAdvisoryLocks(string connectionString, string schema, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        // Unpooled: closing the connection ends the session, which releases the lock even if unlocking failed. Direct:
        // a session advisory lock through PgBouncer (a Neon -pooler host) neither excludes nor is released with the session.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "Neon.Tenancy lock" };
        if (builder.Host is { } host)
        {
            builder.Host = PostgresTenantCatalog.DirectHost(host);
        }

        _dataSource = PostgresTenantCatalog.CreateDataSource(builder.ConnectionString, loggerFactory);
        _schema = schema;
    }

    /// <summary>The host the locks' sessions connect to (tests).</summary>
    internal string? Host => new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString).Host;

    /// <summary>The lock key of <paramref name="name"/> in <paramref name="scope"/> for this catalog schema.</summary>
    public long Key(string scope, string name)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("neon.tenancy/" + scope + "/" + _schema + "/" + name), hash);
        return BitConverter.ToInt64(hash[..8]);
    }

    /// <summary>Waits until this caller holds <paramref name="key"/>. Takes ownership of <paramref name="local"/>: released with the lock, or at once on failure.</summary>
    public async ValueTask<IAsyncDisposable> AcquireAsync(long key, IAsyncDisposable local, CancellationToken cancellationToken) =>
        (await LockAsync("SELECT true FROM pg_advisory_lock($1)", key, local, cancellationToken).ConfigureAwait(false))!;

    /// <summary>Takes <paramref name="key"/> if no session holds it; <see langword="null"/> otherwise. Takes ownership of <paramref name="local"/> as above.</summary>
    public ValueTask<IAsyncDisposable?> TryAcquireAsync(long key, IAsyncDisposable local, CancellationToken cancellationToken) =>
        LockAsync("SELECT pg_try_advisory_lock($1)", key, local, cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Runs <paramref name="sql"/> (true = held) on a new session; keeps the session while the lock is held.</summary>
    private async ValueTask<IAsyncDisposable?> LockAsync(string sql, long key, IAsyncDisposable local, CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            bool held;
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = key });
                command.CommandTimeout = 0; // a wait for the lock is bounded by the caller's token, not a timeout
                held = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
            }

            if (held)
            {
                return new Releaser(connection, local);
            }
        }
        catch
        {
            await ReleaseAsync(connection, local).ConfigureAwait(false);
            throw;
        }

        await ReleaseAsync(connection, local).ConfigureAwait(false);
        return null;
    }

    private static async ValueTask ReleaseAsync(NpgsqlConnection? connection, IAsyncDisposable local)
    {
        try
        {
            if (connection is not null)
            {
                // Closing the unpooled connection ends the session and with it the advisory lock.
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await local.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Releaser(NpgsqlConnection connection, IAsyncDisposable local) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _released, 1) == 0 ? ReleaseAsync(connection, local) : ValueTask.CompletedTask;
    }
}
