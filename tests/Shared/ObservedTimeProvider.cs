using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Tests.Shared;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when a timer is armed, so that a test advances the clock only
/// once the code under test waits on it (a retry delay, a deadline): no real delay, no guessing. A log event or a
/// callback that comes before the wait is no such signal: a clock moved between it and the arming of the timer leaves the
/// timer counting from the moved time, late by the whole move. Linked into each test project that needs it.
/// </summary>
internal sealed class ObservedTimeProvider : FakeTimeProvider
{
    /// <summary>How long a test waits (real time) for something that must happen before it fails, instead of hanging.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<(Func<TimeSpan, bool> Matches, TaskCompletionSource Signal)> _waiters = [];

    public ObservedTimeProvider()
        : this(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public ObservedTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        OnArmed(dueTime);
        return timer;
    }

    /// <summary>Completes when a timer due in exactly <paramref name="dueTime"/> has been armed (each arming is seen once).</summary>
    public Task WhenArmedAsync(TimeSpan dueTime) => WhenArmedAsync(due => due == dueTime);

    /// <summary>
    /// Completes when a timer whose due time <paramref name="matches"/> has been armed, since this clock was made (each
    /// arming is seen once: two calls need two armings). Fails after <see cref="Patience"/>.
    /// </summary>
    public Task WhenArmedAsync(Func<TimeSpan, bool> matches)
    {
        lock (_lock)
        {
            var index = _armed.FindIndex(due => matches(due));
            if (index >= 0)
            {
                _armed.RemoveAt(index);
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((matches, signal));
            return signal.Task.WaitAsync(Patience);
        }
    }

    /// <summary>Waits until a timer due in <paramref name="dueTime"/> is armed, then moves the clock by that much.</summary>
    public async Task AdvanceWhenArmedAsync(TimeSpan dueTime)
    {
        await WhenArmedAsync(dueTime);
        Advance(dueTime);
    }

    private void OnArmed(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        TaskCompletionSource? signal = null;
        lock (_lock)
        {
            var index = _waiters.FindIndex(w => w.Matches(dueTime));
            if (index >= 0)
            {
                signal = _waiters[index].Signal;
                _waiters.RemoveAt(index);
            }
            else
            {
                _armed.Add(dueTime);
            }
        }

        signal?.TrySetResult();
    }

    private sealed class ObservedTimer(ObservedTimeProvider owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.OnArmed(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
