namespace Neon.Tenancy;

/// <summary>One limited metric against its plan limit, in Neon's units (seconds, CU-seconds or bytes).</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Used">The amount used this billing period (for <see cref="UsageLimitMetric.LogicalSize"/>: the current size).</param>
/// <param name="Limit">The plan's limit (always positive: unlimited metrics are not listed).</param>
public sealed record UsageLimit(UsageLimitMetric Metric, long Used, long Limit)
{
    /// <summary>Used as a percentage of the limit; above 100 when over.</summary>
    public double Percent => Used * 100.0 / Limit;

    /// <summary>What is left before the limit; 0 when reached or over.</summary>
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>Whether the limit is reached or passed: Neon suspends the project's computes (writes fail for logical size).</summary>
    public bool Exceeded => Used >= Limit;
}
