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
/// <para>The cache disposes the entries it lets go of: <see cref="IDisposable.Dispose"/> only retires the entry (the data
/// source is disposed once nothing uses it).</para>
/// <para>Without a global budget (<see cref="TenantConnectionOptions.ConnectionBudget"/> 0) the factory counts no
/// open: <c>open</c> stays 0, so a retired entry is disposed at once, and connections already open on it keep working
/// (Npgsql closes them physically when they are returned to the disposed pool).</para>
/// <para>The state lives in one <see cref="TenantDataSourceEntryState"/> word changed by one compare-exchange helper
/// (<see cref="TryUpdate"/>); the lock only orders the rare transitions that also touch the grace timer.</para>
/// </remarks>
internal sealed class TenantDataSourceEntry : IDisposable
{
    private readonly TenantDataSourceCache _owner;
    private readonly StateChangeEventHandler _onStateChange;
    private readonly Lock _gate = new();
    private readonly int _maxPoolSize;
    private long _state;
    private bool _opened;
    private bool _usedSinceTick;
    private long _lastHandedOut;
    private ITimer? _graceTimer;

    public TenantDataSourceEntry(TenantDataSourceCache owner, TenantConnectionKey key, NpgsqlDataSource dataSource, int maxPoolSize)
    {
        _owner = owner;
        Key = key;
        DataSource = dataSource;
        _maxPoolSize = Math.Min(maxPoolSize, TenantDataSourceEntryState.MaxHeld);
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

    public TenantDataSourceEntryState State => new(Volatile.Read(ref _state));

    public bool IsRetired => State.IsRetired;

    public bool IsDisposed => State.IsDisposed;

    public int OpenCount => State.Open;

    public int HeldSlots => State.Held;

    /// <summary>Counts one open. <paramref name="needSlot"/>: the caller must take one budget slot (or call <see cref="AbandonSlot"/>).</summary>
    /// <returns><see langword="false"/> when the entry is retired: look it up again.</returns>
    public bool TryAcquire(out bool needSlot)
    {
        // A slot when this open would outnumber the slots held (the pool then needs one more physical connection),
        // up to the pool's size (it never has more).
        var acquired = TryUpdate(
            _maxPoolSize,
            static (s, max) => s.IsRetired ? null : s.WithOneMoreOpen(takeSlot: s.Open + 1 > s.Held && s.Held < max),
            out var before,
            out var after);
        needSlot = after.Held > before.Held;
        return acquired;
    }

    /// <summary>The budget slot announced by <see cref="TryAcquire"/> could not be taken: undo the open and the slot.</summary>
    public void AbandonSlot() => Release(heldToo: 1);

    /// <summary>Tracks an opened connection: its close releases this entry.</summary>
    public void Attach(NpgsqlConnection connection)
    {
        connection.StateChange += _onStateChange;
        Touch();
    }

    /// <summary>Marks the entry used and opened (the budget-free path's only bookkeeping).</summary>
    public void Touch()
    {
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
    public void Release() => Release(heldToo: 0);

    private void Release(int heldToo)
    {
        var state = new TenantDataSourceEntryState(Interlocked.Add(ref _state, TenantDataSourceEntryState.ReleaseDelta(heldToo)));
        if (state.IsUnusedAfterRetirement)
        {
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
        if (TryUpdate(0, static (s, _) => s.IsRetired ? null : s.Retired(), out _, out var after) && after.IsUnusedAfterRetirement)
        {
            DisposeIfDone();
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
            if (!TryUpdate(0, static (s, _) => s.IsRetired ? null : s.External(), out _, out _))
            {
                return false;
            }

            _lastHandedOut = now;
            LastUsed = now;
            return true;
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
            if (!TryUpdate(0, static (s, _) => s.IsDisposed || s.Held <= s.Open ? null : s.WithHeld(s.Open), out var before, out var after))
            {
                return 0;
            }

            DataSource.Clear();
            return before.Held - after.Held;
        }
    }

    /// <summary>Disposes the data source whatever uses it (factory shutdown).</summary>
    /// <returns>The slots held, or -1 when already disposed.</returns>
    public int ForceDispose()
    {
        lock (_gate)
        {
            if (!TryUpdate(0, static (s, _) => s.IsDisposed ? null : s.Disposed(), out var before, out _))
            {
                return -1;
            }

            _graceTimer?.Dispose();
            _graceTimer = null;
            return before.Held;
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
            var state = State;
            if (!state.IsUnusedAfterRetirement)
            {
                return;
            }

            if (state.IsExternal)
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
            if (!TryUpdate(0, static (s, _) => s.IsUnusedAfterRetirement ? s.Disposed() : null, out var before, out _))
            {
                return;
            }

            slots = before.Held;
        }

        _owner.OnEntryDisposed(this, slots);
    }

    /// <summary>
    /// The one compare-exchange loop: applies <paramref name="change"/> to the current state until no other thread
    /// changed it in between. <paramref name="change"/> returns <see langword="null"/> to leave the state as it is.
    /// Allocation-free with a static lambda.
    /// </summary>
    /// <returns>Whether the state was changed.</returns>
    private bool TryUpdate<TArg>(TArg arg, Func<TenantDataSourceEntryState, TArg, TenantDataSourceEntryState?> change, out TenantDataSourceEntryState before, out TenantDataSourceEntryState after)
    {
        var seen = Volatile.Read(ref _state);
        while (true)
        {
            before = new TenantDataSourceEntryState(seen);
            if (change(before, arg) is not { } next)
            {
                after = before;
                return false;
            }

            var witnessed = Interlocked.CompareExchange(ref _state, next.Word, seen);
            if (witnessed == seen)
            {
                after = next;
                return true;
            }

            seen = witnessed;
        }
    }

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
