using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// Client-side budgets matching Neon's limits: an account-wide budget per minute, a budget per second for each route
/// template, and a separate budget per minute for the <c>consumption_history</c> endpoints. Each is a token bucket
/// (<see cref="NeonTokenBucket"/>) that holds at most <see cref="NeonRateLimitOptions.BurstSize"/> permits and refills
/// continuously at its rate, because Neon's limiter refills that way: a burst leaves paced at the configured rate
/// instead of a minute's budget at once. Callers over budget wait in line by the start time of their call.
/// </summary>
/// <remarks>
/// One instance per service provider (a singleton), disposed with it. Time comes from the injected
/// <see cref="TimeProvider"/>. A 429 from Neon pauses the budget it most likely spent (<see cref="OnRateLimited"/>),
/// so every caller waits instead of drawing more 429s; the retry keeps its place in line.
/// </remarks>
internal sealed class NeonRateLimiter : IDisposable, IAsyncDisposable
{
    /// <summary>Idle route buckets are dropped beyond this many (requests without a route template fall back to their path).</summary>
    private const int MaxIdleRoutes = 1024;

    private readonly NeonRateLimitOptions? _options;
    private readonly TimeProvider _timeProvider;
    private readonly NeonTokenBucket? _account;
    private readonly NeonTokenBucket? _consumption;
    private readonly ConcurrentDictionary<string, NeonTokenBucket> _routes = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <summary>Creates the budgets from the current options.</summary>
    public NeonRateLimiter(IOptionsMonitor<NeonApiOptions> options, TimeProvider timeProvider)
        : this((options ?? throw new ArgumentNullException(nameof(options))).CurrentValue.RateLimit, timeProvider)
    {
    }

    /// <summary>Creates the budgets from <paramref name="options"/> on <paramref name="timeProvider"/>.</summary>
    internal NeonRateLimiter(NeonRateLimitOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        if (!options.Enabled)
        {
            return;
        }

        _options = options;
        _account = new NeonTokenBucket(
            Math.Min(options.BurstSize, options.RequestsPerMinute), options.RequestsPerMinute / 60.0, options.QueueLimit, timeProvider);
        _consumption = new NeonTokenBucket(
            Math.Min(options.BurstSize, options.ConsumptionRequestsPerMinute), options.ConsumptionRequestsPerMinute / 60.0, options.QueueLimit, timeProvider);
    }

    /// <summary>Gets a value indicating whether any budget is enforced.</summary>
    internal bool IsEnabled => _account is not null;

    /// <summary>
    /// Gets how many callers wait in a budget's line. A caller waits in at most one line at a time; between two budgets
    /// it is in neither, so "granted + waiting = callers" means nothing moves until the clock does (tests rely on it).
    /// </summary>
    internal int Waiting => (_account?.Waiting ?? 0) + (_consumption?.Waiting ?? 0) + _routes.Values.Sum(static r => r.Waiting);

    /// <summary>Waits for one permit of each budget that applies to <paramref name="route"/>, in line from now.</summary>
    public ValueTask<bool> AcquireAsync(string route, CancellationToken cancellationToken) =>
        AcquireAsync(route, _timeProvider.GetTimestamp(), cancellationToken);

    /// <summary>
    /// Waits for one permit of each budget that applies to <paramref name="route"/>, in line by <paramref name="priority"/>
    /// (lower first: the timestamp at which the call started). Returns <see langword="false"/> when a queue is full;
    /// throws <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public async ValueTask<bool> AcquireAsync(string route, long priority, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_account is null || _consumption is null)
        {
            return true;
        }

        // Permits are spent, never given back. The narrowest budget goes first: a call waiting for its route does not
        // hold account permits meanwhile (it can only make the account send less than its rate, never more).
        if (NeonRequestOptions.IsConsumptionRoute(route) && !await _consumption.AcquireAsync(priority, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (!await GetRoute(route).AcquireAsync(priority, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return await _account.AcquireAsync(priority, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Neon answered 429 for <paramref name="route"/>: its bucket is empty, so the budget the route spends is emptied and
    /// paused for <paramref name="wait"/> (Retry-After, else the retry's backoff): the consumption budget for consumption
    /// routes (Neon counts them apart), the account budget for every other route.
    /// </summary>
    public void OnRateLimited(string route, TimeSpan wait)
    {
        if (_disposed || _account is null || _consumption is null)
        {
            return;
        }

        (NeonRequestOptions.IsConsumptionRoute(route) ? _consumption : _account).Pause(wait);
    }

    public void Dispose()
    {
        _disposed = true;
        _account?.Dispose();
        _consumption?.Dispose();
        foreach (var bucket in _routes.Values)
        {
            bucket.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private NeonTokenBucket GetRoute(string route)
    {
        if (_routes.TryGetValue(route, out var bucket))
        {
            return bucket;
        }

        if (_routes.Count >= MaxIdleRoutes)
        {
            // An idle bucket is full and has no waiter: dropping it changes nothing. It is not disposed: a caller that
            // has just looked it up still gets its permit (its timer is disarmed while idle).
            foreach (var (key, candidate) in _routes)
            {
                if (candidate.IsIdle)
                {
                    _routes.TryRemove(new KeyValuePair<string, NeonTokenBucket>(key, candidate));
                }
            }
        }

        var options = _options!;
        var created = new NeonTokenBucket(
            Math.Min(options.BurstSize, options.RequestsPerSecondPerRoute), options.RequestsPerSecondPerRoute, options.QueueLimit, _timeProvider);
        var added = _routes.GetOrAdd(route, created);
        if (!ReferenceEquals(added, created))
        {
            created.Dispose();
        }

        return added;
    }
}
