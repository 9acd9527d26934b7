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
    private readonly TenantConnectionFactory _owner;
    private readonly StateChangeEventHandler _onStateChange;
    private readonly Lock _gate = new();
    private readonly int _maxPoolSize;
    private int _open;
    private int _held;
    private bool _retired;
    private bool _disposed;
    private bool _external;
    private long _lastHandedOut;
    private ITimer? _graceTimer;

    public TenantDataSourceEntry(TenantConnectionFactory owner, TenantConnectionKey key, NpgsqlDataSource dataSource, int maxPoolSize)
    {
        _owner = owner;
        Key = key;
        DataSource = dataSource;
        _maxPoolSize = maxPoolSize;
        _onStateChange = OnStateChange;
    }

    public TenantConnectionKey Key { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the start of the last successful open; 0 before the first.</summary>
    public long LastSuccessfulOpen { get; set; }

    /// <summary>Timestamp of the last open or hand-out (or of creation): idle expiry counts from it.</summary>
    public long LastUsed { get; set; }

    public bool IsRetired => Volatile.Read(ref _retired);

    public bool IsDisposed => Volatile.Read(ref _disposed);

    public int OpenCount
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    public int HeldSlots
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    /// <summary>Counts one open. <paramref name="needSlot"/>: the caller must take one budget slot (or call <see cref="AbandonSlot"/>).</summary>
    /// <returns><see langword="false"/> when the entry is retired: look it up again.</returns>
    public bool TryAcquire(out bool needSlot)
    {
        lock (_gate)
        {
            if (_retired)
            {
                needSlot = false;
                return false;
            }

            _open++;
            needSlot = !_external && _open > _held && _held < _maxPoolSize;
            if (needSlot)
            {
                _held++;
            }

            return true;
        }
    }

    /// <summary>The budget slot announced by <see cref="TryAcquire"/> could not be taken: undo the open.</summary>
    public void AbandonSlot()
    {
        lock (_gate)
        {
            _held--;
        }

        Release();
    }

    /// <summary>Tracks an opened connection: its close releases this entry.</summary>
    public void Attach(NpgsqlConnection connection) => connection.StateChange += _onStateChange;

    /// <summary>Undoes one <see cref="TryAcquire"/> (the connection closed, or the open failed).</summary>
    public void Release()
    {
        int slots;
        lock (_gate)
        {
            _open--;
            slots = DisposeIfDoneLocked();
        }

        if (slots >= 0)
        {
            _owner.OnEntryDisposed(this, slots);
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
        int slots;
        lock (_gate)
        {
            if (_retired)
            {
                return;
            }

            _retired = true;
            slots = DisposeIfDoneLocked();
        }

        if (slots >= 0)
        {
            _owner.OnEntryDisposed(this, slots);
        }
    }

    /// <summary>
    /// Marks the data source as handed out: it then holds its whole pool's worth of budget slots, since connections
    /// opened on it directly are invisible here.
    /// </summary>
    /// <returns>Whether the entry is still live, and how many slots the caller must take from the budget.</returns>
    public (bool Live, int SlotsNeeded) HandOut(long now)
    {
        lock (_gate)
        {
            if (_retired)
            {
                return (false, 0);
            }

            _lastHandedOut = now;
            LastUsed = now;
            if (_external)
            {
                return (true, 0);
            }

            _external = true;
            var needed = Math.Max(0, _maxPoolSize - _held);
            _held += needed;
            return (true, needed);
        }
    }

    /// <summary>Some of the slots <see cref="HandOut"/> asked for could not be taken.</summary>
    public void ReturnUnbackedSlots(int count)
    {
        lock (_gate)
        {
            _held -= count;
        }
    }

    /// <summary>
    /// Gives back the slots that only cover idle physical connections, by closing those connections
    /// (<see cref="NpgsqlDataSource.Clear"/>: idle ones close now, busy ones close when returned instead of going back to the pool).
    /// </summary>
    /// <returns>How many slots were freed.</returns>
    public int ReclaimIdle()
    {
        lock (_gate)
        {
            if (_disposed || _external || _held <= _open)
            {
                return 0;
            }

            DataSource.Clear();
            var freed = _held - _open;
            _held = _open;
            return freed;
        }
    }

    /// <summary>Disposes the data source whatever uses it (factory shutdown).</summary>
    /// <returns>The slots held, or -1 when already disposed.</returns>
    public int ForceDispose()
    {
        lock (_gate)
        {
            _retired = true;
            if (_disposed)
            {
                return -1;
            }

            _disposed = true;
            _graceTimer?.Dispose();
            var slots = _held;
            _held = 0;
            return slots;
        }
    }

    /// <summary>Grace-timer callback of a handed-out, retired entry.</summary>
    private void OnGraceElapsed()
    {
        int slots;
        lock (_gate)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
            slots = DisposeIfDoneLocked();
        }

        if (slots >= 0)
        {
            _owner.OnEntryDisposed(this, slots);
        }
    }

    /// <returns>The slots to give back when this call disposed the entry (the caller disposes the data source); else -1.</returns>
    private int DisposeIfDoneLocked()
    {
        if (!_retired || _disposed || _open > 0)
        {
            return -1;
        }

        if (_external)
        {
            var remaining = _owner.GracePeriod - _owner.TimeProvider.GetElapsedTime(_lastHandedOut);
            if (remaining > TimeSpan.Zero)
            {
                _graceTimer ??= _owner.TimeProvider.CreateTimer(static s => ((TenantDataSourceEntry)s!).OnGraceElapsed(), this, remaining, Timeout.InfiniteTimeSpan);
                return -1;
            }
        }

        _disposed = true;
        _graceTimer?.Dispose();
        _graceTimer = null;
        var slots = _held;
        _held = 0;
        return slots;
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
