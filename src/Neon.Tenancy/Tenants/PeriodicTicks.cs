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
    /// <summary>How far the clock may move while a timer is set before the timer is set again (a real clock moves microseconds).</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(1);

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
    /// Waits until the clock reads <paramref name="due"/>. A timer counts from the moment it is set, so a clock that
    /// jumps between reading the time and setting the timer (a test's fake clock, advanced as soon as the previous tick
    /// is published) would set it late by the jump: the clock is read again once the timer is set, and a timer set
    /// after the clock moved is set again from the new time (past <paramref name="due"/>, not waited for at all).
    /// </summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        while (now < due)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(due - now, time, timer.Token);
            var set = time.GetUtcNow();
            if (set - now > TimerSlack)
            {
                await timer.CancelAsync().ConfigureAwait(false);
                now = set;
                continue;
            }

            await delay.ConfigureAwait(false);
            now = time.GetUtcNow();
        }
    }

    private static TaskCompletionSource<T> New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
