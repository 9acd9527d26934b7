namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// Neon's budgets on the fake's clock: per account per minute (a sliding window, or with
/// <see cref="NeonFakeServerOptions.AccountBucketCapacity"/> a token bucket refilled continuously, as Neon's limiter is),
/// per route per second and consumption per minute (sliding windows).
/// </summary>
internal sealed class RateBudget(NeonFakeServerOptions options)
{
    private readonly Lock _lock = new();
    private double _bucketTokens = options.AccountBucketCapacity ?? 0;
    private DateTimeOffset? _bucketUpdated;
    private readonly Queue<DateTimeOffset> _account = new();
    private readonly Queue<DateTimeOffset> _consumption = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _routes = new(StringComparer.Ordinal);

    /// <summary>Counts the request, or returns how long to wait when a budget is spent (the request is then not counted).</summary>
    public TimeSpan? TryAcquire(string route, bool consumption)
    {
        var now = options.TimeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_routes.TryGetValue(route, out var perRoute))
            {
                _routes[route] = perRoute = new Queue<DateTimeOffset>();
            }

            var wait = options.AccountBucketCapacity is { } capacity
                ? CheckBucket(now, capacity)
                : Check(_account, now, TimeSpan.FromMinutes(1), options.RequestsPerMinute);
            wait = Max(wait, Check(perRoute, now, TimeSpan.FromSeconds(1), options.RequestsPerSecondPerRoute));
            if (consumption)
            {
                wait = Max(wait, Check(_consumption, now, TimeSpan.FromMinutes(1), options.ConsumptionRequestsPerMinute));
            }

            if (wait is not null)
            {
                return wait;
            }

            if (options.AccountBucketCapacity is null)
            {
                _account.Enqueue(now);
            }
            else
            {
                _bucketTokens -= 1;
            }

            perRoute.Enqueue(now);
            if (consumption)
            {
                _consumption.Enqueue(now);
            }

            return null;
        }
    }

    /// <summary>Refills the bucket up to now; the wait until it holds one token, or null when it does.</summary>
    private TimeSpan? CheckBucket(DateTimeOffset now, int capacity)
    {
        var perSecond = options.RequestsPerMinute / 60.0;
        if (_bucketUpdated is { } updated && now > updated)
        {
            _bucketTokens = Math.Min(capacity, _bucketTokens + ((now - updated).TotalSeconds * perSecond));
        }

        _bucketUpdated = now;
        return _bucketTokens >= 1 ? null : TimeSpan.FromSeconds((1 - _bucketTokens) / perSecond);
    }

    private static TimeSpan? Check(Queue<DateTimeOffset> window, DateTimeOffset now, TimeSpan length, int limit)
    {
        while (window.Count > 0 && window.Peek() <= now - length)
        {
            window.Dequeue();
        }

        return window.Count < limit ? null : window.Peek() + length - now;
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
