using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// Cold starts in front of the real PostgreSQL: one loopback listener per compute endpoint (opened when a connection
/// string first names it), so the port says which compute a connection is for. A connection to a compute that is not
/// running waits <see cref="NeonFakeServerOptions.ComputeStartLatency"/> before its upstream connect; concurrent first
/// connections share one start. Bytes are then piped both ways unchanged (SSLRequest and TLS included) until either
/// side closes. It cannot model a compute that wakes for API calls: only a connection starts it.
/// </summary>
internal sealed class ComputeProxy : IAsyncDisposable
{
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly TimeSpan _startLatency;
    private readonly Func<string, Task> _onStarted;
    private readonly ConcurrentDictionary<string, Compute> _computes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <param name="upstreamHost">The real server's host.</param>
    /// <param name="upstreamPort">The real server's port.</param>
    /// <param name="startLatency">What a start costs.</param>
    /// <param name="onStarted">Records a finished start (endpoint id) in the fake's state.</param>
    public ComputeProxy(string upstreamHost, int upstreamPort, TimeSpan startLatency, Func<string, Task> onStarted)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        _startLatency = startLatency;
        _onStarted = onStarted;
    }

    /// <summary>The loopback port of the endpoint's compute, opening its listener on first use.</summary>
    public int PortFor(string endpointId)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        return _computes.GetOrAdd(endpointId, id => new Compute(this, id)).Port;
    }

    /// <summary>The compute stops: the next connection pays a start again.</summary>
    public void Suspend(string endpointId)
    {
        if (_computes.TryGetValue(endpointId, out var compute))
        {
            compute.SetRunning(false);
        }
    }

    /// <summary>The compute was started through the API: connections need not wait (its port opens now if it had none).</summary>
    public void MarkRunning(string endpointId)
    {
        if (!_stopping.IsCancellationRequested)
        {
            _computes.GetOrAdd(endpointId, id => new Compute(this, id)).SetRunning(true);
        }
    }

    /// <summary>The endpoint is gone: its port refuses connections and its open connections are closed.</summary>
    public void Close(string endpointId)
    {
        if (_computes.TryRemove(endpointId, out var compute))
        {
            compute.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var id in _computes.Keys)
        {
            Close(id);
        }

        _stopping.Dispose();
    }

    private sealed class Compute : IDisposable
    {
        private readonly ComputeProxy _owner;
        private readonly string _endpointId;
        private readonly TcpListener _listener;
        private readonly ConcurrentDictionary<Socket, byte> _open = new();
        private readonly Lock _lock = new();
        private bool _running;
        private int _generation;
        private Task? _starting;

        public Compute(ComputeProxy owner, string endpointId)
        {
            _owner = owner;
            _endpointId = endpointId;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptLoopAsync();
        }

        public int Port { get; }

        public void SetRunning(bool running)
        {
            lock (_lock)
            {
                _running = running;
                _starting = null;
                _generation++;
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            foreach (var socket in _open.Keys)
            {
                socket.Dispose();
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return; // stopped
                }

                _ = ServeAsync(client);
            }
        }

        private Task StartAsync()
        {
            lock (_lock)
            {
                return _running ? Task.CompletedTask : _starting ??= RunStartAsync(_generation);
            }
        }

        private async Task RunStartAsync(int generation)
        {
            await Latency.WaitAsync(_owner._startLatency, _owner._stopping.Token).ConfigureAwait(false);
            await _owner._onStarted(_endpointId).ConfigureAwait(false);
            lock (_lock)
            {
                // A suspend during the start wins: the next connection starts the compute again.
                if (_generation == generation)
                {
                    _running = true;
                    _starting = null;
                }
            }
        }

        private async Task ServeAsync(Socket client)
        {
            _open.TryAdd(client, 0);
            Socket? upstream = null;
            try
            {
                await StartAsync().ConfigureAwait(false);
                upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                _open.TryAdd(upstream, 0);
                await upstream.ConnectAsync(_owner._upstreamHost, _owner._upstreamPort, _owner._stopping.Token).ConfigureAwait(false);
                client.NoDelay = true;
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_owner._stopping.Token);
                var up = PipeAsync(client, upstream, done.Token);
                var down = PipeAsync(upstream, client, done.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await done.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
            {
                // The fake is stopping, the endpoint went away or the server refused: the client sees its socket close.
            }
            finally
            {
                _open.TryRemove(client, out _);
                client.Dispose();
                if (upstream is not null)
                {
                    _open.TryRemove(upstream, out _);
                    upstream.Dispose();
                }
            }
        }

        private static async Task PipeAsync(Socket from, Socket to, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    var sent = 0;
                    while (sent < read)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Either side closed; the caller closes both.
            }
        }
    }
}
