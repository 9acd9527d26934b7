using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// The real PostgreSQL behind fake projects: one database per fake database and one login role per fake role, named
/// <c>{project id}_{name}</c> (cluster-wide names must be unique). Identifiers are quoted with <see cref="Ident"/>;
/// a password never appears in a statement: <c>CREATE ROLE</c> and <c>ALTER ROLE</c> (which take no parameters) get
/// its SCRAM-SHA-256 verifier, computed here, as <c>psql</c>'s <c>\password</c> does. So a statement that reaches a
/// trace (Npgsql records <c>db.query.text</c>), the server log or <c>pg_stat_activity</c> carries no password; everything
/// else goes as parameters.
/// </summary>
internal sealed class PostgresBackend : IAsyncDisposable
{
    private readonly NpgsqlDataSource _admin;
    private readonly HashSet<string> _databases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _roles = new(StringComparer.Ordinal);

    public PostgresBackend(string adminConnectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = true, MaxPoolSize = 4 };
        Host = builder.Host ?? "127.0.0.1";
        Port = builder.Port;
        _admin = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>The server's host as Npgsql reaches it.</summary>
    public string Host { get; }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>The host to put in connection URIs and parameters: <c>host:port</c>, which Npgsql accepts in <c>Host</c>.</summary>
    public string HostWithPort => Host + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string RealName(string projectId, string name)
    {
        var real = projectId + "_" + name;
        if (Encoding.UTF8.GetByteCount(real) <= 63)
        {
            return real;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..10];
        return projectId + "_" + hash;
    }

    /// <summary>Quotes an identifier for DDL: double quotes, embedded quotes doubled, NUL refused.</summary>
    public static string Ident(string name) => name.Contains('\0', StringComparison.Ordinal)
        ? throw new ArgumentException("Identifiers cannot contain NUL.", nameof(name))
        : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a string literal for the DDL that cannot take parameters (password verifiers).</summary>
    public static string Literal(string value) => value.Contains('\0', StringComparison.Ordinal)
        ? throw new ArgumentException("Literals cannot contain NUL.", nameof(value))
        : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677:
    /// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>). PostgreSQL takes a verifier given to
    /// <c>PASSWORD</c> as it is, so the password itself never leaves this process. The fake's passwords are ASCII, which
    /// SASLprep leaves unchanged.
    /// </summary>
    public static string ScramVerifier(string password)
    {
        const int Iterations = 4096;
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}");
    }

    public async Task CreateRoleAsync(string role, string password, CancellationToken cancellationToken)
    {
        await ExecuteAsync($"CREATE ROLE {Ident(role)} LOGIN PASSWORD {Literal(ScramVerifier(password))}", cancellationToken).ConfigureAwait(false);
        _roles.Add(role);
    }

    public async Task CreateDatabaseAsync(string database, string owner, CancellationToken cancellationToken)
    {
        await ExecuteAsync($"CREATE DATABASE {Ident(database)} OWNER {Ident(owner)}", cancellationToken).ConfigureAwait(false);
        _databases.Add(database);
    }

    /// <summary>Whether the fake created (or renamed to) this database and has not dropped it.</summary>
    public bool HasDatabase(string database) => _databases.Contains(database);

    /// <summary>
    /// Copies a database (<c>CREATE DATABASE target TEMPLATE source</c>). A template must have no other sessions, so new
    /// connections to the source are refused and open ones terminated (57P01, as a compute restart does) for the copy;
    /// afterwards the source accepts connections again when <paramref name="sourceConnectable"/> is set.
    /// </summary>
    public async Task CopyDatabaseAsync(string source, string target, string owner, bool sourceConnectable, bool targetConnectable,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync($"ALTER DATABASE {Ident(source)} ALLOW_CONNECTIONS false", cancellationToken).ConfigureAwait(false);
        try
        {
            await TerminateAsync("datname = @name", source, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync($"CREATE DATABASE {Ident(target)} TEMPLATE {Ident(source)} OWNER {Ident(owner)}", cancellationToken).ConfigureAwait(false);
            _databases.Add(target);
            if (!targetConnectable)
            {
                await ExecuteAsync($"ALTER DATABASE {Ident(target)} ALLOW_CONNECTIONS false", cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (sourceConnectable)
            {
                await ExecuteAsync($"ALTER DATABASE {Ident(source)} ALLOW_CONNECTIONS true", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Renames a database; open connections to it are terminated first (57P01), as PostgreSQL renames only an unused
    /// database. Afterwards it accepts connections when <paramref name="connectable"/> is set.
    /// </summary>
    public async Task RenameDatabaseAsync(string from, string to, bool connectable, CancellationToken cancellationToken)
    {
        await ExecuteAsync($"ALTER DATABASE {Ident(from)} ALLOW_CONNECTIONS false", cancellationToken).ConfigureAwait(false);
        await TerminateAsync("datname = @name", from, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync($"ALTER DATABASE {Ident(from)} RENAME TO {Ident(to)}", cancellationToken).ConfigureAwait(false);
        _databases.Remove(from);
        _databases.Add(to);
        if (connectable)
        {
            await ExecuteAsync($"ALTER DATABASE {Ident(to)} ALLOW_CONNECTIONS true", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Changes a role's password and drops its open connections (Neon does the same on reset).</summary>
    public async Task SetPasswordAsync(string role, string password, CancellationToken cancellationToken)
    {
        await ExecuteAsync($"ALTER ROLE {Ident(role)} PASSWORD {Literal(ScramVerifier(password))}", cancellationToken).ConfigureAwait(false);
        await TerminateAsync("usename = @name", role, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Allows or refuses new connections to the databases; refusing also terminates open ones (57P01).</summary>
    public async Task SetConnectableAsync(IEnumerable<string> databases, bool connectable, CancellationToken cancellationToken)
    {
        foreach (var database in databases)
        {
            await ExecuteAsync($"ALTER DATABASE {Ident(database)} ALLOW_CONNECTIONS {(connectable ? "true" : "false")}", cancellationToken).ConfigureAwait(false);
            if (!connectable)
            {
                await TerminateAsync("datname = @name", database, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Terminates the open connections to the databases, as a compute restart or suspend does.</summary>
    public async Task TerminateConnectionsAsync(IEnumerable<string> databases, CancellationToken cancellationToken)
    {
        foreach (var database in databases)
        {
            await TerminateAsync("datname = @name", database, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DropAsync(IEnumerable<string> databases, IEnumerable<string> roles, CancellationToken cancellationToken)
    {
        foreach (var database in databases)
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {Ident(database)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
            _databases.Remove(database);
        }

        foreach (var role in roles)
        {
            await TerminateAsync("usename = @name", role, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync($"DROP ROLE IF EXISTS {Ident(role)}", cancellationToken).ConfigureAwait(false);
            _roles.Remove(role);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DropAsync([.. _databases], [.. _roles], CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task TerminateAsync(string condition, string name, CancellationToken cancellationToken)
    {
        var command = _admin.CreateCommand($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE {condition} AND pid <> pg_backend_pid()");
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("name", name);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var command = _admin.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
