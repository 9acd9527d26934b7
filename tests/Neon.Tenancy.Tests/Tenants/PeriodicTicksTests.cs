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

    /// <summary>The loop ends once stopped: normally, or cancelled where it waited.</summary>
    private static async Task StoppedAsync(Task loop)
    {
        try
        {
            await loop.WaitAsync(Timeout);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task ClockReachesTheTickWhileTheTimerIsBeingSet_TheTickRunsThen()
    {
        var clock = new JumpWhileSettingTimer(Start, Period, times: 2); // before the first tick, and between the first two
        var ticks = new PeriodicTicks<DateTimeOffset>(clock, Period);
        var ran = Channel.CreateUnbounded<DateTimeOffset>();
        using var stop = new CancellationTokenSource();

        var loop = ticks.RunAsync(Start + Period, _ =>
        {
            ran.Writer.TryWrite(clock.GetUtcNow());
            return Task.FromResult(clock.GetUtcNow());
        }, _ => default, stop.Token);

        Assert.Equal(Start + Period, await ran.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(Start + 2 * Period, await ran.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        await Task.Delay(50);
        Assert.False(ran.Reader.TryRead(out _)); // the clock stands at the second tick: no third
        await stop.CancelAsync();
        await StoppedAsync(loop);
    }

    [Fact]
    public async Task ClockMovesShortOfTheTickWhileTheTimerIsBeingSet_TheTimerCountsFromTheNewTime()
    {
        var clock = new JumpWhileSettingTimer(Start, TimeSpan.FromMinutes(4), times: 1);
        var ticks = new PeriodicTicks<DateTimeOffset>(clock, Period);
        using var stop = new CancellationTokenSource();
        var next = ticks.Next;
        var loop = ticks.RunAsync(Start + Period, _ => Task.FromResult(clock.GetUtcNow()), _ => default, stop.Token);

        Assert.False(next.IsCompleted); // 09:59: a minute to go
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Start + Period, await next.WaitAsync(Timeout));
        await stop.CancelAsync();
        await StoppedAsync(loop);
    }

    [Fact]
    public async Task ClockShortOfTheTick_NoTickUntilItIsReached_ThenOnePerInterval()
    {
        var clock = new FakeTimeProvider(Start);
        var ticks = new PeriodicTicks<DateTimeOffset>(clock, Period);
        using var stop = new CancellationTokenSource();
        var next = ticks.Next;
        var loop = ticks.RunAsync(Start + Period, _ => Task.FromResult(clock.GetUtcNow()), _ => default, stop.Token);

        clock.Advance(Period - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Start + Period, await next.WaitAsync(Timeout));

        next = ticks.Next;
        clock.Advance(Period);
        Assert.Equal(Start + 2 * Period, await next.WaitAsync(Timeout));
        await stop.CancelAsync();
        await StoppedAsync(loop);
    }

    [Fact]
    public async Task TickThrows_ReportedAsTheFallback_LoopGoesOn()
    {
        var clock = new FakeTimeProvider(Start);
        var ticks = new PeriodicTicks<string>(clock, Period);
        using var stop = new CancellationTokenSource();
        var calls = 0;
        var next = ticks.Next;
        var loop = ticks.RunAsync(Start, _ => ++calls == 1 ? throw new InvalidOperationException("boom") : Task.FromResult("ran"),
            error => "failed: " + error.Message, stop.Token);

        Assert.Equal("failed: boom", await next.WaitAsync(Timeout));
        next = ticks.Next;
        clock.Advance(Period);
        Assert.Equal("ran", await next.WaitAsync(Timeout));
        await stop.CancelAsync();
        await StoppedAsync(loop);
    }
}
