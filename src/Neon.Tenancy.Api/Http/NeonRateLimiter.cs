using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// Client-side budgets matching Neon's published limits: an account-wide budget per minute, a budget per second for
/// each route template, and a separate budget per minute for the <c>consumption_history</c> endpoints.
/// All three are sliding windows, so no window of the configured length ever holds more requests than the budget
/// (up to one segment of slack). Callers over budget wait in a FIFO queue.
/// </summary>
/// <remarks>
/// One instance per service provider (a singleton), disposed with it. The limiters of
/// System.Threading.RateLimiting take time from the system clock and cannot use a <see cref="TimeProvider"/>;
/// tests therefore use small real windows through the internal constructor.
/// </remarks>
internal sealed class NeonRateLimiter : IDisposable, IAsyncDisposable
{
    private const int SegmentsPerWindow = 4;

    private readonly RateLimiter? _account;
    private readonly PartitionedRateLimiter<string>? _perRoute;
    private readonly RateLimiter? _consumption;

    /// <summary>Creates the limiters from the current options (minute and second windows).</summary>
    public NeonRateLimiter(IOptionsMonitor<NeonApiOptions> options)
        : this(options.CurrentValue.RateLimit, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1))
    {
    }

    /// <summary>Creates the limiters with the given window lengths (for tests: short windows).</summary>
    internal NeonRateLimiter(NeonRateLimitOptions options, TimeSpan minuteWindow, TimeSpan secondWindow)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return;
        }

        var queueLimit = options.QueueLimit;
        _account = CreateWindow(options.RequestsPerMinute, minuteWindow, queueLimit);
        _consumption = CreateWindow(options.ConsumptionRequestsPerMinute, minuteWindow, queueLimit);
        var perRoute = options.RequestsPerSecondPerRoute;
        _perRoute = PartitionedRateLimiter.Create<string, string>(route =>
            RateLimitPartition.GetSlidingWindowLimiter(route, _ => WindowOptions(perRoute, secondWindow, queueLimit)));
    }

    /// <summary>Gets a value indicating whether any budget is enforced.</summary>
    internal bool IsEnabled => _account is not null;

    /// <summary>
    /// Waits for one permit of each budget that applies to <paramref name="route"/>.
    /// Returns <see langword="false"/> when a queue is full; throws <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public async ValueTask<bool> AcquireAsync(string route, CancellationToken cancellationToken)
    {
        if (_account is null || _perRoute is null || _consumption is null)
        {
            return true;
        }

        // Window leases do not hold capacity, so each is released at once. The narrowest budget goes first:
        // a call waiting for its route does not use up account permits meanwhile.
        if (NeonRequestOptions.IsConsumptionRoute(route) && !await AcquireAsync(_consumption, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        using (var lease = await _perRoute.AcquireAsync(route, 1, cancellationToken).ConfigureAwait(false))
        {
            if (!lease.IsAcquired)
            {
                return false;
            }
        }

        return await AcquireAsync(_account, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _account?.Dispose();
        _perRoute?.Dispose();
        _consumption?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_account is not null)
        {
            await _account.DisposeAsync().ConfigureAwait(false);
        }

        if (_perRoute is not null)
        {
            await _perRoute.DisposeAsync().ConfigureAwait(false);
        }

        if (_consumption is not null)
        {
            await _consumption.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async ValueTask<bool> AcquireAsync(RateLimiter limiter, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        return lease.IsAcquired;
    }

    private static SlidingWindowRateLimiter CreateWindow(int permits, TimeSpan window, int queueLimit) =>
        new(WindowOptions(permits, window, queueLimit));

    private static SlidingWindowRateLimiterOptions WindowOptions(int permits, TimeSpan window, int queueLimit) => new()
    {
        PermitLimit = permits,
        Window = window,
        SegmentsPerWindow = SegmentsPerWindow,
        QueueLimit = queueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    };
}
