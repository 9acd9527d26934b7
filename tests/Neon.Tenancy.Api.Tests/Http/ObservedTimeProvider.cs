using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when a timer is armed, so that a test advances the clock only
/// once the code under test waits on it (a retry delay, a deadline): no real delay, no guessing.
/// </summary>
internal sealed class ObservedTimeProvider : FakeTimeProvider
{
    /// <summary>How long a test waits (real time) for something that must happen before it fails, instead of hanging.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Signal)> _waiters = [];

    public ObservedTimeProvider()
        : base(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        OnArmed(dueTime);
        return timer;
    }

    /// <summary>Completes when a timer due in exactly <paramref name="dueTime"/> has been armed (each arming is seen once).</summary>
    public Task WhenArmedAsync(TimeSpan dueTime)
    {
        lock (_lock)
        {
            var index = _armed.IndexOf(dueTime);
            if (index >= 0)
            {
                _armed.RemoveAt(index);
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, signal));
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
            var index = _waiters.FindIndex(w => w.Due == dueTime);
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
