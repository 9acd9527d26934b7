using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Neon.Tenancy;

/// <summary>
/// Checkpoint instruments on the <c>Neon.Tenancy</c> meter: a duration per operation and a failure count. Tags are
/// bounded (operation, error type); tenant ids are never tags.
/// </summary>
internal sealed class CheckpointMetrics
{
    private readonly Histogram<double>? _duration;
    private readonly Counter<long>? _failures;

    public CheckpointMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(NeonTenancyTelemetry.MeterName);
        _duration = meter.CreateHistogram<double>(NeonTenancyTelemetry.Instruments.CheckpointDuration, "s", "Time a checkpoint operation took, Neon's operations included.");
        _failures = meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.CheckpointFailures, "{failure}", "Checkpoint operations that failed.");
    }

    /// <summary>Runs <paramref name="operation"/>, recording how long it took or that it failed (a cancellation is neither).</summary>
    public async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> body, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await body().ConfigureAwait(false);
            _duration?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.CheckpointOperation, operation));
            return result;
        }
        catch (Exception exception) when (_failures is not null && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _failures.Add(1,
                new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.CheckpointOperation, operation),
                new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.ErrorType, exception.GetType().FullName));
            throw;
        }
    }
}
