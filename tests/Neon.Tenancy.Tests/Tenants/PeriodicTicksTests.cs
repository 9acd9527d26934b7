using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Tests.Tenants;

/// <summary>
/// The background services' loop on a fake clock. A test advances the clock as soon as a tick is published, so the
/// loop may read the time before the jump and set its timer after it: the tick must still run when the clock reaches
/// it, not a whole jump later (CI once hung a scheduler test on exactly that).
/// </summary>
public sealed class PeriodicTicksTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 8, 9, 55, 0, TimeSpan.Zero);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A fake clock that jumps forward by <paramref name="jump"/> while each of the first <paramref name="times"/> timers is
    /// being set (after its due time was computed).
    /// </summary>
    private sealed class JumpWhileSettingTimer(DateTimeOffset start, TimeSpan jump, int times) : FakeTimeProvider(start)
    {
        private int _left = times;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (Interlocked.Decrement(ref _left) >= 0)
            {
                Advance(jump);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>A running loop: the task of its first tick (read before it started), and a stop that waits for it to end.</summary>
    private sealed class Running<T> : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Running(TimeProvider clock, DateTimeOffset first, Func<CancellationToken, Task<T>> tick, Func<Exception, T>? failed = null)
        {
            Ticks = new PeriodicTicks<T>(clock, Period);
            First = Ticks.Next;
            _loop = Ticks.RunAsync(first, tick, failed ?? (_ => default!), _stop.Token);
        }

        public PeriodicTicks<T> Ticks { get; }

        public Task<T> First { get; }

        /// <summary>Stops the loop; it ends normally or cancelled where it waited, within the timeout.</summary>
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop.WaitAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

    private static Func<CancellationToken, Task<DateTimeOffset>> Now(TimeProvider clock) => _ => Task.FromResult(clock.GetUtcNow());

    [Fact]
    public async Task ClockReachesTheTickWhileTheTimerIsBeingSet_TheTickRunsThen()
    {
        var clock = new JumpWhileSettingTimer(Start, Period, times: 2); // before the first tick, and between the first two
        var ran = Channel.CreateUnbounded<DateTimeOffset>();

        await using var loop = new Running<DateTimeOffset>(clock, Start + Period, _ =>
        {
            ran.Writer.TryWrite(clock.GetUtcNow());
            return Task.FromResult(clock.GetUtcNow());
        });

        Assert.Equal(Start + Period, await ran.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(Start + 2 * Period, await ran.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        await Task.Delay(50);
        Assert.False(ran.Reader.TryRead(out _)); // the clock stands at the second tick: no third
    }

    [Fact]
    public async Task ClockMovesShortOfTheTickWhileTheTimerIsBeingSet_TheTimerCountsFromTheNewTime()
    {
        var clock = new JumpWhileSettingTimer(Start, TimeSpan.FromMinutes(4), times: 1);
        await using var loop = new Running<DateTimeOffset>(clock, Start + Period, Now(clock));

        Assert.False(loop.First.IsCompleted); // 09:59: a minute to go
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start + Period, await loop.First.WaitAsync(Timeout));
    }

    [Fact]
    public async Task ClockShortOfTheTick_NoTickUntilItIsReached_ThenOnePerInterval()
    {
        var clock = new FakeTimeProvider(Start);
        await using var loop = new Running<DateTimeOffset>(clock, Start + Period, Now(clock));

        clock.Advance(Period - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(loop.First.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Start + Period, await loop.First.WaitAsync(Timeout));

        var next = loop.Ticks.Next;
        clock.Advance(Period);
        Assert.Equal(Start + 2 * Period, await next.WaitAsync(Timeout));
    }

    [Fact]
    public async Task TickThrows_ReportedAsTheFallback_LoopGoesOn()
    {
        var clock = new FakeTimeProvider(Start);
        var calls = 0;
        await using var loop = new Running<string>(clock, Start, _ => ++calls == 1 ? throw new InvalidOperationException("boom") : Task.FromResult("ran"),
            error => "failed: " + error.Message);

        Assert.Equal("failed: boom", await loop.First.WaitAsync(Timeout));
        var next = loop.Ticks.Next;
        clock.Advance(Period);
        Assert.Equal("ran", await next.WaitAsync(Timeout));
    }
}
