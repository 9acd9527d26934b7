using System.Net.Sockets;
using System.Text;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>
/// A minimal HTTP/1.1 server that answers each request with raw bytes the test chooses, or resets the connection
/// without any answer (a real network failure): what WireMock cannot do (its faults answer instead of dropping, and
/// it always sends a body as long as its Content-Length).
/// </summary>
internal sealed class RawHttpServer : IDisposable
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<int, string?> _answer;
    private int _requests;

    /// <param name="answer">The raw answer to the request with this number (1 first); null resets the connection.</param>
    public RawHttpServer(Func<int, string?> answer)
    {
        _answer = answer;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>The first <paramref name="dropCount"/> requests get their connection reset, later ones a 200.</summary>
    public static RawHttpServer Dropping(int dropCount) => new(number => number <= dropCount ? null : Ok);

    /// <summary>Every request gets <paramref name="answer"/>, then the connection closes.</summary>
    public static RawHttpServer Answering(string answer) => new(_ => answer);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[16 * 1024];
            var received = new StringBuilder();
            try
            {
                while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                if (_answer(Interlocked.Increment(ref _requests)) is not { } answer)
                {
                    socket.LingerState = new LingerOption(true, 0); // close = RST
                    return;
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes(answer), SocketFlags.None, _stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
