using System.Globalization;
using Neon.Tenancy.Samples.Console.Steps;

namespace Neon.Tenancy.Samples.Console;

/// <summary>
/// The tour's <see cref="IUsageThresholdObserver"/>: where an application would e-mail the customer or tell billing,
/// it prints the crossing.
/// </summary>
internal sealed class ThresholdPrinter(TourOutput output) : IUsageThresholdObserver
{
    private int _count;

    /// <summary>How many crossings it has been told about.</summary>
    public int Count => Volatile.Read(ref _count);

    public ValueTask OnThresholdCrossedAsync(UsageThresholdCrossing crossing, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        var limit = crossing.Limit;
        var what = crossing.Level switch
        {
            UsageThresholdLevel.Approaching => "is approaching",
            UsageThresholdLevel.Exceeded => "has reached",
            _ => "is back under",
        };
        output.Warn(string.Create(
            CultureInfo.InvariantCulture,
            $"observer: {crossing.TenantId} ({crossing.Plan}) {what} its {UsageStep.Name(limit.Metric)} limit: {UsageStep.Amount(limit.Metric, limit.Used)} of {UsageStep.Amount(limit.Metric, limit.Limit)} ({limit.Percent:0} %)."));
        return ValueTask.CompletedTask;
    }
}
