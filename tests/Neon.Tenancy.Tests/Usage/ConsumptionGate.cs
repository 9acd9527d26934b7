namespace Neon.Tenancy.Tests.Usage;

/// <summary>
/// An in-memory gate in the API client's pipeline, in front of each attempt of a consumption call: while closed it holds
/// every call until the test opens it, and it tells the test when a call is held. No clock and no delay: the test decides
/// when a read under way may go on.
/// </summary>
internal sealed class ConsumptionGate
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _open = CreateOpen();
    private int _calls;

    /// <summary>Consumption calls that reached the gate (held or let through), including those cancelled while held.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Completes when the first call is held by the closed gate.</summary>
    public Task FirstHeld => _held.Task;

    /// <summary>Holds every consumption call from now on, until <see cref="Open"/>.</summary>
    public void Close() => Volatile.Write(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Lets the held calls, and every later one, through.</summary>
    public void Open() => Volatile.Read(ref _open).TrySetResult();

    public DelegatingHandler CreateHandler() => new Handler(this);

    private static TaskCompletionSource CreateOpen()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private sealed class Handler(ConsumptionGate gate) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/consumption_history/v2/projects", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref gate._calls);
                var open = Volatile.Read(ref gate._open).Task;
                if (!open.IsCompleted)
                {
                    gate._held.TrySetResult();
                }

                await open.WaitAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
