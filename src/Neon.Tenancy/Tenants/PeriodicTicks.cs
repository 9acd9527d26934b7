namespace Neon.Tenancy;

/// <summary>
/// The loop of the SDK's background services (the checkpoint scheduler, the warm pool's replenisher): a tick at a first
/// time, then every interval from each tick's start, on a <see cref="TimeProvider"/>, until stopped. A tick that throws
/// is reported and the loop goes on. Each tick's result completes the task <see cref="Next"/> returned before it, so a
/// test waits for a tick instead of sleeping.
/// </summary>
/// <typeparam name="T">What a tick returns.</typeparam>
/// <param name="time">The clock.</param>
/// <param name="interval">From one tick's start to the next's.</param>
internal sealed class PeriodicTicks<T>(TimeProvider time, TimeSpan interval)
{
    private TaskCompletionSource<T> _next = New();

    /// <summary>Completes with the result of the next tick to end (a failed tick's fallback).</summary>
    public Task<T> Next => Volatile.Read(ref _next).Task;

    /// <summary>Ticks until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="first">When the first tick runs.</param>
    /// <param name="tick">One tick.</param>
    /// <param name="failed">Told a tick's exception (not the stop's); returns the result the tick stands for.</param>
    /// <param name="stoppingToken">Stops the loop.</param>
    public async Task RunAsync(DateTimeOffset first, Func<CancellationToken, Task<T>> tick, Func<Exception, T> failed, CancellationToken stoppingToken)
    {
        var next = first;
        while (!stoppingToken.IsCancellationRequested)
        {
            await WaitUntilAsync(next, stoppingToken).ConfigureAwait(false);

            var started = time.GetUtcNow();
            T result;
            try
            {
                result = await tick(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                result = failed(error);
            }

            next = started + interval;
            Interlocked.Exchange(ref _next, New()).TrySetResult(result);
        }
    }

    /// <summary>
    /// Waits until the clock reads <paramref name="due"/>. A timer is relative to the moment it is set, so a clock that
    /// jumps between reading the time and setting the timer (a test's fake clock, advanced as soon as the previous tick
    /// is published) would set it a whole jump late: the clock is read again once the timer is set, and a due time
    /// passed meanwhile is not waited for.
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stoppingToken)
    {
        for (var now = time.GetUtcNow(); now < due; now = time.GetUtcNow())
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(due - now, time, timer.Token);
            if (time.GetUtcNow() >= due)
            {
                timer.Cancel();
                break;
            }

            await delay.ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource<T> New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
