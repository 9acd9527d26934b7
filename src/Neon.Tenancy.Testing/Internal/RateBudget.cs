namespace Neon.Tenancy.Testing.Internal;

/// <summary>Neon's budgets as sliding windows on the fake's clock: per account per minute, per route per second, consumption per minute.</summary>
internal sealed class RateBudget(NeonFakeServerOptions options)
{
    private readonly Lock _lock = new();
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

            var wait = Check(_account, now, TimeSpan.FromMinutes(1), options.RequestsPerMinute);
            wait = Max(wait, Check(perRoute, now, TimeSpan.FromSeconds(1), options.RequestsPerSecondPerRoute));
            if (consumption)
            {
                wait = Max(wait, Check(_consumption, now, TimeSpan.FromMinutes(1), options.ConsumptionRequestsPerMinute));
            }

            if (wait is not null)
            {
                return wait;
            }

            _account.Enqueue(now);
            perRoute.Enqueue(now);
            if (consumption)
            {
                _consumption.Enqueue(now);
            }

            return null;
        }
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
