using System.Collections.Concurrent;

namespace Neon.Tenancy;

/// <summary>
/// Single flight per key: concurrent callers for one key share one run of the work (the connection cache's builds, a
/// tenant's migration). The shared run is started with no caller's token, so one caller giving up never cancels it
/// for the others; each caller's token only stops its own wait. The key is free again once the run ends, whatever way.
/// </summary>
internal sealed class SingleFlight<TKey, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TResult>> _flights = new();

    /// <summary>Joins the run in flight for <paramref name="key"/>, or starts <paramref name="run"/> for it.</summary>
    public Task<TResult> RunAsync(TKey key, Func<TKey, Task<TResult>> run, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _flights.GetOrAdd(key, mine.Task);
        if (flight == mine.Task)
        {
            _ = CompleteAsync(key, run, mine);
        }

        return flight.WaitAsync(cancellationToken);
    }

    private async Task CompleteAsync(TKey key, Func<TKey, Task<TResult>> run, TaskCompletionSource<TResult> completion)
    {
        try
        {
            completion.SetResult(await run(key).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // Every failure goes to the waiting callers.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            completion.SetException(exception);
            _ = completion.Task.Exception; // observed: callers that stopped waiting must not leave it unobserved
        }
        finally
        {
            _flights.TryRemove(new KeyValuePair<TKey, Task<TResult>>(key, completion.Task));
        }
    }
}
