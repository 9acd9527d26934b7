using System.Diagnostics.Metrics;

namespace Neon.Tenancy;

/// <summary>
/// Provisioning instruments on the <c>Neon.Tenancy</c> meter. Tags are bounded (outcome, step, error type); tenant ids
/// are never tags.
/// </summary>
internal sealed class ProvisioningMetrics
{
    public const string MeterName = NeonTenancyTelemetry.MeterName;
    public const string DurationName = NeonTenancyTelemetry.Instruments.ProvisioningDuration;
    public const string FailuresName = NeonTenancyTelemetry.Instruments.ProvisioningFailures;

    private readonly Histogram<double>? _duration;
    private readonly Counter<long>? _failures;

    public ProvisioningMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>(DurationName, "s", "Time to provision a tenant database until it is ready.");
        _failures = meter.CreateCounter<long>(FailuresName, "{failure}", "Provisioning attempts that failed.");
    }

    /// <summary>Records a completed provisioning. <paramref name="outcome"/>: created, adopted, resumed or claimed (from the warm pool).</summary>
    public void Provisioned(double seconds, string outcome) =>
        _duration?.Record(seconds, new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.ProvisioningOutcome, outcome));

    public void Failed(TenantProvisioningStep step, Exception exception) =>
        _failures?.Add(1,
            new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.ProvisioningStep, step.ToString()),
            new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.ErrorType, exception.GetType().FullName));
}
