using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Turns each limit of a read into a <see cref="UsageThresholdLevel"/>, remembers the last level per tenant, metric and
/// billing period (in this process), and tells every <see cref="IUsageThresholdObserver"/> of each rise, once. An
/// observer's failure is logged and does not stop the others or the read.
/// </summary>
internal sealed class UsageThresholdTracker
{
    private readonly Dictionary<(TenantId, UsageLimitMetric), (DateTimeOffset Period, UsageThresholdLevel Level)> _seen = [];
    private readonly Lock _lock = new();
    private readonly IUsageThresholdObserver[] _observers;
    private readonly double _thresholdPercent;
    private readonly ILogger _logger;

    public UsageThresholdTracker(IEnumerable<IUsageThresholdObserver> observers, IOptions<TenantUsageOptions> options, ILogger<UsageThresholdTracker> logger)
    {
        _observers = [.. observers];
        _thresholdPercent = options.Value.ThresholdPercent;
        _logger = logger;
    }

    /// <summary>Records the level of each limit of the read and notifies the observers of each crossing.</summary>
    /// <param name="read">A tenant's usage against its plan.</param>
    /// <param name="cancellationToken">The read's token, handed to the observers.</param>
    /// <returns>A task that completes when every observer has heard of every crossing.</returns>
    public async Task ObserveAsync(TenantUsageAgainstPlan read, CancellationToken cancellationToken)
    {
        var usage = read.Usage;
        foreach (var limit in read.Limits)
        {
            var level = limit.Exceeded ? UsageThresholdLevel.Exceeded
                : limit.Percent >= _thresholdPercent ? UsageThresholdLevel.Approaching
                : UsageThresholdLevel.Normal;
            if (Update(read.TenantId, limit.Metric, usage.PeriodStart, level))
            {
                await NotifyAsync(new UsageThresholdCrossing(read.TenantId, read.Plan, level, limit, _thresholdPercent,
                    usage.PeriodStart, usage.PeriodEnd), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records the level; true when it is higher than the last one seen in the same period (a crossing).</summary>
    private bool Update(TenantId tenantId, UsageLimitMetric metric, DateTimeOffset periodStart, UsageThresholdLevel level)
    {
        lock (_lock)
        {
            var previous = _seen.TryGetValue((tenantId, metric), out var seen) && seen.Period == periodStart
                ? seen.Level
                : UsageThresholdLevel.Normal;
            _seen[(tenantId, metric)] = (periodStart, level);
            return level > previous;
        }
    }

    private async Task NotifyAsync(UsageThresholdCrossing crossing, CancellationToken cancellationToken)
    {
        UsageLog.ThresholdCrossed(_logger, crossing.TenantId.Value, crossing.Plan, crossing.Level, crossing.Limit.Metric,
            crossing.Limit.Used, crossing.Limit.Limit, crossing.Limit.Percent);
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnThresholdCrossedAsync(crossing, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                UsageLog.ObserverFailed(_logger, ex, observer.GetType().Name, crossing.TenantId.Value);
            }
        }
    }
}
