using System.Globalization;
using System.Net;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Builds the Npgsql keyword connection strings stored (encrypted) in the catalog from what Neon returns: Host, Port
/// (when the host carries one), Database, Username, Password and SSL Mode. The pooled string uses <c>pooler_host</c>,
/// the direct one <c>host</c>.
/// </summary>
internal static class TenantConnectionStrings
{
    public static string Build(string hostAndPort, string database, string username, string password, SslMode? sslMode)
    {
        var (host, port) = SplitHost(hostAndPort);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Database = database,
            Username = username,
            Password = password,
            SslMode = sslMode ?? (IsLoopback(host) ? SslMode.Prefer : SslMode.Require),
        };
        if (port is { } p)
        {
            builder.Port = p;
        }

        return builder.ConnectionString;
    }

    /// <summary>Parses a <c>postgresql://user:password@host[:port]/database?...</c> URI (from <c>GET .../connection_uri</c>).</summary>
    public static string FromUri(string uri, SslMode? sslMode)
    {
        var parsed = new Uri(uri);
        var userInfo = parsed.UserInfo;
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        var database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
        var host = parsed.IsDefaultPort || parsed.Port < 0 ? parsed.Host : parsed.Host + ":" + parsed.Port.ToString(CultureInfo.InvariantCulture);
        return Build(host, database, user, password, sslMode);
    }

    /// <summary>Opens a new connection the caller owns (a migration's, a preview's); disposed at once when the open fails.</summary>
    public static async ValueTask<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The same connection string with another password.</summary>
    public static string WithPassword(string connectionString, string password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = password }.ConnectionString;

    /// <summary>The user name of a connection string (empty when it names none).</summary>
    public static string UsernameOf(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Username ?? string.Empty;

    internal static (string Host, int? Port) SplitHost(string value)
    {
        // "host:5432" or "[::1]:5432"; a bare IPv6 address has several colons and no port.
        var colon = value.LastIndexOf(':');
        if (colon > 0 && (value.IndexOf(':', StringComparison.Ordinal) == colon || value[colon - 1] == ']')
            && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (value[..colon].Trim('[', ']'), port);
        }

        return (value, null);
    }

    internal static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
