using System.Globalization;

namespace Neon.Tenancy.Tests.Shared;

/// <summary>
/// The kernel's view of TCP connections (Linux <c>/proc/net/tcp</c>): what the connection-budget tests join with
/// pg_stat_activity to count live physical connections. Linked into each test project that needs it.
/// </summary>
internal static class TcpSockets
{
    /// <summary>Client ports of the server's ESTABLISHED TCP connections on <paramref name="serverPort"/> (server side of the socket).</summary>
    public static HashSet<int> EstablishedClientPorts(int serverPort)
    {
        const string Established = "01";
        var ports = new HashSet<int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // "  sl  local_address rem_address   st ...", addresses as HEXIP:HEXPORT.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != Established)
                {
                    continue;
                }

                var local = int.Parse(fields[1].AsSpan(fields[1].LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (local == serverPort)
                {
                    ports.Add(int.Parse(fields[2].AsSpan(fields[2].LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }
}
