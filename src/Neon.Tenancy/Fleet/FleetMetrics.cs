using System.Diagnostics.Metrics;

namespace Neon.Tenancy;

/// <summary>
/// Fleet instruments on the <c>Neon.Tenancy</c> meter: tenants per outcome and the time each attempt took. Tags are
/// bounded (outcome, the work's name); tenant and run ids are never tags.
/// </summary>
internal sealed class FleetMetrics
{
    private readonly Counter<long>? _tenants;
    private readonly Histogram<double>? _duration;

    public FleetMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(NeonTenancyTelemetry.MeterName);
        _tenants = meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.FleetTenants, "{tenant}", "Tenant attempts of fleet runs that ended, by outcome (succeeded, deferred, skipped, retried, parked).");
        _duration = meter.CreateHistogram<double>(NeonTenancyTelemetry.Instruments.FleetTenantDuration, "s", "Time one tenant's attempt of fleet work took.");
    }

    public void Ended(string work, string outcome, TimeSpan elapsed)
    {
        var outcomeTag = new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.FleetOutcome, outcome);
        var workTag = new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.FleetWork, work);
        _tenants?.Add(1, outcomeTag, workTag);
        _duration?.Record(elapsed.TotalSeconds, outcomeTag, workTag);
    }
}
