using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Neon.Tenancy.Samples.AspNetCore;

/// <summary>
/// How a sign-up's <see cref="ITenantDatabaseProvider.ProvisionAsync"/> ended: <c>claimed</c> (a warm-pool project),
/// <c>created</c>, <c>adopted</c> or <c>resumed</c>, as the SDK reports it in the <c>neon.tenancy.provisioning.outcome</c>
/// tag of its <c>neon.tenancy.provisioning.duration</c> histogram; <see langword="null"/> when the tenant was already
/// provisioned (nothing is recorded then).
/// </summary>
/// <remarks>
/// A <see cref="MeterListener"/> on this application's meters (<see cref="IMeterFactory"/>) hears the measurement. The SDK
/// records it inside the ProvisionAsync call, so it runs on that call's execution context: an <see cref="AsyncLocal{T}"/>
/// set around the call ties it to the request that made it, however many sign-ups run at once.
/// </remarks>
internal sealed class ProvisioningOutcomes : IDisposable
{
    private const string Instrument = "neon.tenancy.provisioning.duration";
    private const string OutcomeTag = "neon.tenancy.provisioning.outcome";

    private static readonly AsyncLocal<StrongBox<string?>?> Listening = new();
    private readonly MeterListener _listener = new();

    public ProvisioningOutcomes(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == Instrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(static (_, _, tags, _) =>
        {
            if (Listening.Value is not { } heard)
            {
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == OutcomeTag)
                {
                    heard.Value = tag.Value as string;
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Runs a provisioning call and returns its result with the outcome the SDK recorded for it.</summary>
    public async Task<(TenantRecord Tenant, string? Outcome)> ObserveAsync(Func<Task<TenantRecord>> provision)
    {
        ArgumentNullException.ThrowIfNull(provision);
        var heard = new StrongBox<string?>();
        Listening.Value = heard; // flows into the call; this method's caller does not see it
        var tenant = await provision();
        return (tenant, heard.Value);
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();
}
