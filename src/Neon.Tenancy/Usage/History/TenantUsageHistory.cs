namespace Neon.Tenancy;

/// <summary>One tenant's consumption history.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="ProjectId">Its Neon project.</param>
/// <param name="Timeframes">The values per time step, oldest first.</param>
public sealed record TenantUsageHistory(TenantId TenantId, string ProjectId, IReadOnlyList<UsageTimeframe> Timeframes)
{
    /// <summary>The values summed over every timeframe (a metric not read stays <see langword="null"/>).</summary>
    public UsageValues Total => Timeframes.Aggregate(UsageValues.Empty, static (sum, t) => sum.Add(t.Values));
}
