namespace Neon.Tenancy.Api;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>: it holds at most <c>capacity</c> permits and refills continuously at
/// <c>permitsPerSecond</c>, as Neon's own limiter does, so a burst beyond the capacity leaves at the configured rate.
/// Waiters are served in order of their priority (the call's start time, so a retry keeps its place in line), and
/// <see cref="Pause"/> empties the bucket and holds every waiter until a time.
/// </summary>
/// <remarks>
/// Permits are never given back (a sent request cannot be unsent). One timer per bucket, armed only while someone waits.
/// </remarks>
internal sealed class NeonTokenBucket : IDisposable
{
    /// <summary>Refill arithmetic is floating point: a permit that is due counts as whole within this margin.</summary>
    private const double Whole = 1 - 1e-9;

    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly double _capacity;
    private readonly double _permitsPerTick;
    private readonly int _queueLimit;
    private readonly PriorityQueue<Waiter, (long Priority, long Sequence)> _queue = new();
    private readonly ITimer _timer;
    private double _tokens;
    private long _updated;
    private long _pausedUntil;
    private long _sequence;
    private int _waiting;
    private bool _disposed;

    public NeonTokenBucket(int capacity, double permitsPerSecond, int queueLimit, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(permitsPerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLimit);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _capacity = capacity;
        _permitsPerTick = permitsPerSecond / timeProvider.TimestampFrequency;
        _queueLimit = queueLimit;
        _tokens = capacity;
        _updated = timeProvider.GetTimestamp();
        _pausedUntil = _updated;
        _timer = timeProvider.CreateTimer(static state => ((NeonTokenBucket)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Gets a value indicating whether the bucket is full and nobody waits (an idle bucket equals a new one).</summary>
    /// <summary>Gets how many callers wait in line (for tests: a limiter is settled when every caller is granted or waits).</summary>
    internal int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    internal bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                Refill(_timeProvider.GetTimestamp());
                return _waiting == 0 && _tokens >= _capacity - 1e-9;
            }
        }
    }

    /// <summary>
    /// Takes one permit, waiting behind every waiter of a lower <paramref name="priority"/>.
    /// Returns <see langword="false"/> when the queue is full; throws <see cref="OperationCanceledException"/> when cancelled
    /// and <see cref="ObjectDisposedException"/> when the bucket is disposed.
    /// </summary>
    public ValueTask<bool> AcquireAsync(long priority, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _timeProvider.GetTimestamp();
            Refill(now);
            if (_waiting == 0 && now >= _pausedUntil && _tokens >= Whole)
            {
                _tokens = Math.Max(0, _tokens - 1);
                return new ValueTask<bool>(true);
            }

            if (_waiting >= _queueLimit)
            {
                return new ValueTask<bool>(false);
            }

            waiter = new Waiter(this);
            _queue.Enqueue(waiter, (priority, _sequence++));
            _waiting++;
            Drain(now);
        }

        if (cancellationToken.CanBeCanceled && !waiter.Task.IsCompleted)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
            if (waiter.Task.IsCompleted)
            {
                waiter.Registration.Unregister();
            }
        }

        return new ValueTask<bool>(waiter.Task);
    }

    /// <summary>
    /// Neon answered 429: its bucket is empty. Empties this one and serves nobody until <paramref name="duration"/> has
    /// passed (a longer pause already in force is kept); then one permit, and the bucket refills from then on.
    /// </summary>
    public void Pause(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var now = _timeProvider.GetTimestamp();
            var until = now + (long)Math.Min(duration.TotalSeconds * _timeProvider.TimestampFrequency, long.MaxValue / 4);
            _pausedUntil = Math.Max(_pausedUntil, until);

            // Retry-After is when Neon takes a request again: one permit then, the rest at the rate.
            _tokens = 1;
            _updated = _pausedUntil;
            Drain(now);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            while (_queue.TryDequeue(out var waiter, out _))
            {
                waiter.Fail(new ObjectDisposedException(nameof(NeonTokenBucket)));
            }

            _waiting = 0;
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                Drain(_timeProvider.GetTimestamp());
            }
        }
    }

    /// <summary>Serves waiters while permits last, then arms the timer for the next permit. Under the lock.</summary>
    private void Drain(long now)
    {
        Refill(now);
        if (now >= _pausedUntil)
        {
            while (_tokens >= Whole && _queue.TryPeek(out var head, out _))
            {
                _queue.Dequeue();
                if (head.TryGrant())
                {
                    _tokens = Math.Max(0, _tokens - 1);
                    _waiting--;
                }
            }
        }

        // Cancelled waiters left in the queue are dropped lazily; arm the timer only for someone who still waits.
        while (_queue.TryPeek(out var head, out _) && head.Task.IsCompleted)
        {
            _queue.Dequeue();
        }

        if (_queue.Count == 0)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var ticks = now < _pausedUntil
            ? _pausedUntil - now
            : (long)Math.Ceiling((Whole - _tokens) / _permitsPerTick);
        var due = TimeSpan.FromSeconds(Math.Max(ticks, 1) / (double)_timeProvider.TimestampFrequency);
        _timer.Change(due < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : due, Timeout.InfiniteTimeSpan);
    }

    private void Refill(long now)
    {
        if (now <= _updated)
        {
            return;
        }

        _tokens = Math.Min(_capacity, _tokens + ((now - _updated) * _permitsPerTick));
        _updated = now;
    }

    private void OnCancelled()
    {
        lock (_lock)
        {
            _waiting--;
        }
    }

    private sealed class Waiter(NeonTokenBucket owner) : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public CancellationTokenRegistration Registration { get; set; }

        public bool TryGrant()
        {
            if (!TrySetResult(true))
            {
                return false;
            }

            Registration.Unregister();
            return true;
        }

        public void Fail(Exception exception)
        {
            if (TrySetException(exception))
            {
                Registration.Unregister();
            }
        }

        public void Cancel(CancellationToken token)
        {
            if (TrySetCanceled(token))
            {
                owner.OnCancelled();
            }
        }
    }
}
