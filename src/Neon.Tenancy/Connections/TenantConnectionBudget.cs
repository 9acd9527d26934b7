using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>
/// The global budget of physical connections (<see cref="TenantConnectionOptions.ConnectionBudget"/>): one slot per
/// physical connection a data source may hold, taken when an open would outnumber the slots its entry holds (see
/// <see cref="TenantDataSourceEntry"/>). A caller finding it spent first takes back slots that only cover idle pooled
/// connections, then waits for one up to <see cref="TenantConnectionOptions.BudgetWaitTimeout"/>.
/// </summary>
internal sealed class TenantConnectionBudget
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<TenantDataSourceEntry, byte> _live;
    private readonly ConnectionMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _waitTimeout;
    private int _waiting;

    /// <param name="limit">The budget (at least 1).</param>
    /// <param name="waitTimeout">How long a caller waits for a slot.</param>
    /// <param name="live">The entries alive (whose idle slots can be taken back).</param>
    /// <param name="metrics">Counts waits.</param>
    /// <param name="timeProvider">Measures the wait.</param>
    /// <param name="logger">The factory's logger.</param>
    public TenantConnectionBudget(int limit, TimeSpan waitTimeout, ConcurrentDictionary<TenantDataSourceEntry, byte> live, ConnectionMetrics metrics, TimeProvider timeProvider, ILogger logger)
    {
        Limit = limit;
        _waitTimeout = waitTimeout;
        _slots = new SemaphoreSlim(limit, limit);
        _live = live;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The configured budget.</summary>
    public int Limit { get; }

    /// <summary>Slots free now.</summary>
    public int Free => _slots.CurrentCount;

    /// <summary>Callers waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes a slot if one is free now (the hit path: no wait, no allocation).</summary>
    public bool TryTake() => _slots.Wait(0);

    /// <summary>Gives slots back.</summary>
    public void Release(int slots) => _slots.Release(slots);

    /// <summary>
    /// Takes one slot when <see cref="TryTake"/> found none: first from slots that only cover idle pooled connections
    /// (reclaiming one is not waiting: no budget wait is counted), else waits for one, reclaiming meanwhile.
    /// </summary>
    /// <param name="tenantId">The tenant waiting (logs and the exception).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TenantConnectionBudgetExceededException">No slot came free within the wait timeout.</exception>
    public async Task WaitAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        if (ReclaimIdle() > 0 && _slots.Wait(0))
        {
            return;
        }

        var start = _timeProvider.GetTimestamp();
        _metrics.BudgetWait();
        ConnectionLog.WaitingForBudget(_logger, tenantId.ToString(), Limit);
        Interlocked.Increment(ref _waiting);
        try
        {
            while (true)
            {
                var remaining = _waitTimeout - _timeProvider.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                {
                    throw Exceeded(tenantId, _timeProvider.GetElapsedTime(start));
                }

                // Polls (and reclaims between polls): a slot covering an idle connection gives no signal when it turns idle.
                if (await _slots.WaitAsync(remaining < PollInterval ? remaining : PollInterval, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                if (ReclaimIdle() > 0 && _slots.Wait(0))
                {
                    return;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>What holds the budget now, in counts only (no tenant id: the message may reach another tenant's caller).</summary>
    private TenantConnectionBudgetExceededException Exceeded(TenantId tenantId, TimeSpan waited)
    {
        // A caller waiting for a slot is already counted open (and held) on its entry: take the waiters out.
        long open = 0, idle = 0;
        var sources = 0;
        foreach (var (entry, _) in _live)
        {
            var state = entry.State;
            open += state.Open;
            idle += Math.Max(0, state.Held - state.Open);
            sources += state.Open > 0 ? 1 : 0;
        }

        var waiting = Waiting;
        var inUse = (int)Math.Clamp(open - waiting, 0, int.MaxValue);
        var idleSlots = (int)Math.Min(idle, int.MaxValue);
        ConnectionLog.BudgetExceeded(_logger, tenantId.ToString(), Limit, (long)waited.TotalMilliseconds, inUse, sources, idleSlots, waiting);
        return new TenantConnectionBudgetExceededException(tenantId, Limit, waited, inUse, idleSlots, waiting);
    }

    /// <summary>
    /// Gives back to the budget the slots of the first data source found whose slots cover idle pooled connections
    /// (closing those connections): one source at a time, so one new tenant does not close every other tenant's idle
    /// connection. Order is the live set's, not least-recently-used.
    /// </summary>
    /// <returns>The slots freed (0 when every held slot covers a connection in use).</returns>
    private int ReclaimIdle()
    {
        // The dictionary's own enumerator: no snapshot of the keys (Keys copies them all) on every open that finds the budget spent.
        foreach (var (entry, _) in _live)
        {
            var slots = entry.ReclaimIdle();
            if (slots > 0)
            {
                _slots.Release(slots);
                return slots;
            }
        }

        return 0;
    }
}
