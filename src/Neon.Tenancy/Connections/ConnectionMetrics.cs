using System.Diagnostics.Metrics;

namespace Neon.Tenancy;

/// <summary>
/// The connection factory's instruments on the <c>Neon.Tenancy</c> meter. Tags carry the connection kind only, never
/// a tenant id (unbounded cardinality).
/// </summary>
internal sealed class ConnectionMetrics : IDisposable
{
    public const string MeterName = NeonTenancyTelemetry.MeterName;
    private const string KindTag = NeonTenancyTelemetry.Tags.ConnectionKind;

    private static readonly KeyValuePair<string, object?> PooledTag = new(KindTag, "pooled");
    private static readonly KeyValuePair<string, object?> DirectTag = new(KindTag, "direct");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _builds;
    private readonly Counter<long> _budgetWaits;
    private readonly Histogram<double> _openDuration;

    public ConnectionMetrics(IMeterFactory? meterFactory, Func<long> aliveDataSources)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        _hits = _meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.ConnectionCacheHits, "{lookup}", "Data-source lookups served from the cache.");
        _misses = _meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.ConnectionCacheMisses, "{lookup}", "Data-source lookups that had to read the catalog (or wait for a read in flight).");
        _evictions = _meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.ConnectionCacheEvictions, "{data_source}", "Data sources removed from the cache (capacity, idle expiry, catalog change, authentication failure).");
        _builds = _meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.DataSourcesCreated, "{data_source}", "Data sources built.");
        _meter.CreateObservableUpDownCounter(NeonTenancyTelemetry.Instruments.DataSourcesAlive, aliveDataSources, "{data_source}", "Data sources built and not yet disposed (cached, or evicted with connections still open).");
        _budgetWaits = _meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.ConnectionBudgetWaits, "{wait}", "Opens that had to wait for the global connection budget (taking a slot back from idle pooled connections is not a wait).");
        _openDuration = _meter.CreateHistogram<double>(NeonTenancyTelemetry.Instruments.ConnectionOpenDuration, "s", "Time to open a tenant connection, including cache lookup, budget wait and retries.");
    }

    /// <summary>Counts a cache hit, only while someone listens (the cache itself counts nothing).</summary>
    public void Hit(TenantConnectionKind kind)
    {
        if (_hits.Enabled)
        {
            _hits.Add(1, Tag(kind));
        }
    }

    public void Miss(TenantConnectionKind kind)
    {
        if (_misses.Enabled)
        {
            _misses.Add(1, Tag(kind));
        }
    }

    public void Evicted(TenantConnectionKind kind) => _evictions.Add(1, Tag(kind));

    public void Built(TenantConnectionKind kind) => _builds.Add(1, Tag(kind));

    public void BudgetWait() => _budgetWaits.Add(1);

    public bool OpenDurationEnabled => _openDuration.Enabled;

    public void Opened(TenantConnectionKind kind, TimeSpan elapsed) => _openDuration.Record(elapsed.TotalSeconds, Tag(kind));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static KeyValuePair<string, object?> Tag(TenantConnectionKind kind) => kind == TenantConnectionKind.Pooled ? PooledTag : DirectTag;
}
