using System.Collections.Immutable;
using System.Diagnostics.Metrics;

namespace Neon.Tenancy;

/// <summary>
/// Warm-pool instruments on the <c>Neon.Tenancy</c> meter, shared by the replenisher and the claim (one registered
/// instance). Tags are bounded: the pool's region (a Neon region id, or <c>default</c> for sign-ups without one), its
/// plan class, a miss reason, a replenishing step. Tenant ids and entry ids are never tags.
/// </summary>
/// <remarks>
/// The depth gauge reports what this process last read of the pools (a status read or a replenishing pass), less the
/// claims it made since: an instance that never reads the pools reports nothing, and the one running the replenisher is
/// at most one <see cref="WarmPoolOptions.ReplenishInterval"/> behind.
/// </remarks>
internal sealed class WarmPoolMetrics
{
    /// <summary>The <c>neon.tenancy.pool.region</c> value of the pool of sign-ups without a region.</summary>
    public const string DefaultRegion = "default";

    private readonly Counter<long>? _claims;
    private readonly Counter<long>? _misses;
    private readonly Histogram<double>? _claimDuration;
    private readonly Counter<long>? _projects;
    private readonly Counter<long>? _failures;
    private ImmutableDictionary<WarmPoolKey, int> _depth = ImmutableDictionary<WarmPoolKey, int>.Empty;

    public WarmPoolMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(NeonTenancyTelemetry.MeterName);
        meter.CreateObservableGauge(NeonTenancyTelemetry.Instruments.PoolDepth, ObserveDepth, "{project}",
            "Ready pool projects at the current schema version, per pool, as this process last read them.");
        _claims = meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.PoolClaims, "{claim}", "Sign-ups that claimed a pool project.");
        _misses = meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.PoolMisses, "{miss}", "Sign-ups that found no fitting pool project and created one (the cold path).");
        _claimDuration = meter.CreateHistogram<double>(NeonTenancyTelemetry.Instruments.PoolClaimDuration, "s", "Time a claim took until the tenant was ready.");
        _projects = meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.PoolReplenishProjects, "{project}", "Pool projects the replenisher created, migrated or recycled.");
        _failures = meter.CreateCounter<long>(NeonTenancyTelemetry.Instruments.PoolReplenishFailures, "{failure}", "Replenisher steps that failed (the project recycled or left for the next pass).");
    }

    /// <summary>Records a claim that made a tenant ready and the time it took.</summary>
    public void Claimed(WarmPoolKey pool, double seconds)
    {
        var tags = PoolTags(pool);
        _claims?.Add(1, tags);
        _claimDuration?.Record(seconds, tags);
        ImmutableInterlocked.AddOrUpdate(ref _depth, pool, 0, static (_, depth) => Math.Max(0, depth - 1));
    }

    /// <summary>Records a sign-up that went the cold path: its region (<c>""</c> = none) and why (the layout's reason, or <c>empty</c>).</summary>
    public void Missed(string region, string reason) =>
        _misses?.Add(1,
            new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.PoolRegion, RegionTag(region)),
            new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.PoolMissReason, reason));

    /// <summary>Counts a project the replenisher created, migrated or recycled (<paramref name="step"/>: create, migrate, recycle).</summary>
    public void Replenished(string step) =>
        _projects?.Add(1, new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.PoolStep, step));

    /// <summary>Counts a failed replenisher step (<paramref name="step"/>: create, migrate, recycle).</summary>
    public void Failed(string step) =>
        _failures?.Add(1, new KeyValuePair<string, object?>(NeonTenancyTelemetry.Tags.PoolStep, step));

    /// <summary>Replaces what the depth gauge reports with a fresh read of the pools.</summary>
    public void Observed(IEnumerable<(WarmPoolKey Pool, int Ready)> pools) =>
        Volatile.Write(ref _depth, pools.ToImmutableDictionary(p => p.Pool, p => p.Ready));

    private IEnumerable<Measurement<int>> ObserveDepth()
    {
        foreach (var (pool, ready) in Volatile.Read(ref _depth))
        {
            yield return new Measurement<int>(ready, PoolTags(pool));
        }
    }

    private static KeyValuePair<string, object?>[] PoolTags(WarmPoolKey pool) =>
    [
        new(NeonTenancyTelemetry.Tags.PoolRegion, RegionTag(pool.Region)),
        new(NeonTenancyTelemetry.Tags.PoolPlanClass, pool.PlanClass),
    ];

    private static string RegionTag(string region) => region.Length == 0 ? DefaultRegion : region;
}
