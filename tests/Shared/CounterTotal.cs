using System.Diagnostics.Metrics;

namespace Neon.Tenancy.Tests.Shared;

/// <summary>
/// The running total of one <c>long</c> counter, from the meters of one <see cref="IMeterFactory"/> only (other tests'
/// apps record on the same instrument names alongside). Linked into each test project that needs it.
/// </summary>
internal sealed class CounterTotal : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterTotal(IMeterFactory meters, string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Value => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
