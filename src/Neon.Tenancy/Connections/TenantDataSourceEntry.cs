using System.Data;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>The cache key: a tenant and a connection kind. A struct, so a lookup allocates nothing.</summary>
internal readonly record struct TenantConnectionKey(TenantId TenantId, TenantConnectionKind Kind);

/// <summary>
/// One cached data source with the bookkeeping that makes eviction safe and the connection budget exact:
/// <list type="bullet">
/// <item><description><c>open</c>: connections handed out (or being opened) and not yet closed. An evicted (retired)
/// entry is disposed only when it reaches 0, so eviction never breaks a connection in use.</description></item>
/// <item><description><c>held</c>: slots of the global budget this entry holds. A pool's physical connections never
/// outnumber the most connections that were open at once since it was last cleared, so an entry takes a slot only when
/// <c>open</c> exceeds <c>held</c> and keeps it after the connection closes (it covers the idle physical connection in
/// the pool). Slots go back when the entry is disposed, or when the factory reclaims them by clearing idle connections
/// under budget pressure.</description></item>
/// </list>
/// </summary>
/// <remarks>
/// The cache disposes the entries it lets go of: <see cref="IDisposable.Dispose"/> only retires the entry (the data
/// source is disposed once nothing uses it).
/// </remarks>
internal sealed class TenantDataSourceEntry : IDisposable
{
    // The whole reference count in one long, updated by compare-exchange, so the hit path (acquire, and release on
    // close) takes no lock: bits 0-31 open, bits 32-55 held, then the flags.
    private const long OpenUnit = 1;
    private const long OpenMask = 0xFFFF_FFFFL;
    private const int HeldShift = 32;
    private const long HeldUnit = 1L << HeldShift;
    private const long HeldMask = 0xFF_FFFFL << HeldShift;
    private const long RetiredFlag = 1L << 56;
    private const long ExternalFlag = 1L << 57;
    private const long DisposedFlag = 1L << 58;

    private readonly TenantConnectionFactory _owner;
    private readonly StateChangeEventHandler _onStateChange;
    private readonly Lock _gate = new();
    private readonly int _maxPoolSize;
    private long _state;
    private bool _opened;
    private bool _usedSinceTick;
    private long _lastHandedOut;
    private ITimer? _graceTimer;

    public TenantDataSourceEntry(TenantConnectionFactory owner, TenantConnectionKey key, NpgsqlDataSource dataSource, int maxPoolSize)
    {
        _owner = owner;
        Key = key;
        DataSource = dataSource;
        _maxPoolSize = Math.Min(maxPoolSize, (int)(HeldMask >> HeldShift));
        _onStateChange = OnStateChange;
    }

    public TenantConnectionKey Key { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Whether a connection was ever opened through this entry.</summary>
    public bool HasOpened => Volatile.Read(ref _opened);

    /// <summary>
    /// Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of creation, of the last hand-out, or of the last idle-expiry
    /// tick that saw a connection opened since the tick before (<see cref="TakeUsedSinceTick"/>): the hit path reads no
    /// clock, so this lags the last open by at most one tick period.
    /// </summary>
    public long LastUsed { get; set; }

    public bool IsRetired => (Volatile.Read(ref _state) & RetiredFlag) != 0;

    public bool IsDisposed => (Volatile.Read(ref _state) & DisposedFlag) != 0;

    public int OpenCount => Open(Volatile.Read(ref _state));

    public int HeldSlots => Held(Volatile.Read(ref _state));

    /// <summary>Counts one open. <paramref name="needSlot"/>: the caller must take one budget slot (or call <see cref="AbandonSlot"/>).</summary>
    /// <returns><see langword="false"/> when the entry is retired: look it up again.</returns>
    public bool TryAcquire(out bool needSlot)
    {
        var state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & RetiredFlag) != 0)
            {
                needSlot = false;
                return false;
            }

            var open = Open(state) + 1;
            var held = Held(state);
            needSlot = open > held && held < _maxPoolSize;
            var next = state + OpenUnit + (needSlot ? HeldUnit : 0);
            var seen = Interlocked.CompareExchange(ref _state, next, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }
    }

    /// <summary>The budget slot announced by <see cref="TryAcquire"/> could not be taken: undo the open and the slot.</summary>
    public void AbandonSlot() => Release(HeldUnit);

    /// <summary>Tracks an opened connection: its close releases this entry.</summary>
    public void Attach(NpgsqlConnection connection)
    {
        connection.StateChange += _onStateChange;

        // Plain reads first: after the first open these are read-only on the hit path (no cache-line write).
        if (!_usedSinceTick)
        {
            Volatile.Write(ref _usedSinceTick, true);
        }

        if (!_opened)
        {
            Volatile.Write(ref _opened, true);
        }
    }

    /// <summary>Whether a connection was opened since the last idle-expiry tick.</summary>
    public bool UsedSinceTick => Volatile.Read(ref _usedSinceTick);

    /// <summary>Idle-expiry tick: whether a connection was opened since the last call (and resets the mark).</summary>
    public bool TakeUsedSinceTick()
    {
        if (!Volatile.Read(ref _usedSinceTick))
        {
            return false;
        }

        Volatile.Write(ref _usedSinceTick, false);
        return true;
    }

    /// <summary>Undoes one <see cref="TryAcquire"/> (the connection closed, or the open failed).</summary>
    public void Release() => Release(0);

    private void Release(long heldToo)
    {
        var state = Interlocked.Add(ref _state, -(OpenUnit + heldToo));
        if ((state & (RetiredFlag | DisposedFlag | OpenMask)) == RetiredFlag)
        {
            // Retired and the last user gone: that state is final (a retired entry takes no new opens).
            DisposeIfDone();
        }
    }

    /// <summary>Called by the cache when it lets go of this entry.</summary>
    void IDisposable.Dispose()
    {
        if (!IsRetired)
        {
            _owner.OnReleasedByCache(this);
        }

        Retire();
        GC.SuppressFinalize(this);
    }

    /// <summary>The entry left the cache: dispose it as soon as nothing uses it.</summary>
    public void Retire()
    {
        var state = Volatile.Read(ref _state);
        while ((state & RetiredFlag) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state | RetiredFlag, state);
            if (seen == state)
            {
                if (Open(state) == 0)
                {
                    DisposeIfDone();
                }

                return;
            }

            state = seen;
        }
    }

    /// <summary>
    /// Marks the data source handed out (<see cref="ITenantConnectionFactory.GetDataSourceAsync"/>): once evicted it stays
    /// usable for the grace period counted from <paramref name="now"/>. A hand-out holds no budget slot: connections
    /// opened on the data source directly are invisible here, and counting their worst case (the whole pool) starved
    /// every other tenant (issue 13).
    /// </summary>
    /// <returns><see langword="false"/> when the entry is retired: look it up again.</returns>
    public bool TryMarkHandedOut(long now)
    {
        lock (_gate)
        {
            var state = Volatile.Read(ref _state);
            while ((state & RetiredFlag) == 0)
            {
                var seen = Interlocked.CompareExchange(ref _state, state | ExternalFlag, state);
                if (seen == state)
                {
                    _lastHandedOut = now;
                    LastUsed = now;
                    return true;
                }

                state = seen;
            }

            return false;
        }
    }

    /// <summary>
    /// Gives back the slots that only cover idle physical connections, by closing those connections
    /// (<see cref="NpgsqlDataSource.Clear"/>: idle ones close now, busy ones close when returned instead of going back to the pool).
    /// </summary>
    /// <remarks>
    /// The slots are taken from the entry first (an open from now on needs a slot of its own again) and the idle
    /// connections closed next; the caller gives the slots back to the budget only after this returns, so the physical
    /// connections never outnumber the slots held.
    /// </remarks>
    /// <returns>How many slots were freed.</returns>
    public int ReclaimIdle()
    {
        lock (_gate)
        {
            var state = Volatile.Read(ref _state);
            while (true)
            {
                var open = Open(state);
                var held = Held(state);
                if ((state & DisposedFlag) != 0 || held <= open)
                {
                    return 0;
                }

                var seen = Interlocked.CompareExchange(ref _state, state - ((long)(held - open) * HeldUnit), state);
                if (seen == state)
                {
                    DataSource.Clear();
                    return held - open;
                }

                state = seen;
            }
        }
    }

    /// <summary>Disposes the data source whatever uses it (factory shutdown).</summary>
    /// <returns>The slots held, or -1 when already disposed.</returns>
    public int ForceDispose()
    {
        lock (_gate)
        {
            var state = Interlocked.Or(ref _state, RetiredFlag | DisposedFlag);
            if ((state & DisposedFlag) != 0)
            {
                return -1;
            }

            _graceTimer?.Dispose();
            _graceTimer = null;
            return Held(Interlocked.And(ref _state, ~HeldMask));
        }
    }

    /// <summary>Grace-timer callback of a handed-out, retired entry.</summary>
    private void OnGraceElapsed()
    {
        lock (_gate)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        DisposeIfDone();
    }

    /// <summary>Disposes the entry (through the owner) when it is retired, unused and out of its grace period.</summary>
    private void DisposeIfDone()
    {
        int slots;
        lock (_gate)
        {
            var state = Volatile.Read(ref _state);
            if ((state & (RetiredFlag | DisposedFlag | OpenMask)) != RetiredFlag)
            {
                return;
            }

            if ((state & ExternalFlag) != 0)
            {
                var remaining = _owner.GracePeriod - _owner.TimeProvider.GetElapsedTime(_lastHandedOut);
                if (remaining > TimeSpan.Zero)
                {
                    _graceTimer ??= _owner.TimeProvider.CreateTimer(static s => ((TenantDataSourceEntry)s!).OnGraceElapsed(), this, remaining, Timeout.InfiniteTimeSpan);
                    return;
                }
            }

            // Retired with nothing open is final: a retired entry takes no new open and no hand-out.
            _graceTimer?.Dispose();
            _graceTimer = null;
            state = Interlocked.Or(ref _state, DisposedFlag);
            if ((state & DisposedFlag) != 0)
            {
                return;
            }

            slots = Held(Interlocked.And(ref _state, ~HeldMask));
        }

        _owner.OnEntryDisposed(this, slots);
    }

    private static int Open(long state) => (int)(state & OpenMask);

    private static int Held(long state) => (int)((state & HeldMask) >> HeldShift);

    private void OnStateChange(object? sender, StateChangeEventArgs e)
    {
        if (e.CurrentState == ConnectionState.Open)
        {
            return;
        }

        if (sender is NpgsqlConnection connection)
        {
            connection.StateChange -= _onStateChange;
        }

        if (e.CurrentState == ConnectionState.Broken)
        {
            // A broken connection usually means its compute restarted or suspended: the pool's other idle
            // connections to it are dead too. Drop them so the next open connects afresh.
            DataSource.Clear();
        }

        Release();
    }
}
