namespace Neon.Tenancy;

/// <summary>
/// A consumption history window that Neon would refuse: <c>From</c> not before <c>To</c>, before 2024-03-01, or further
/// back than the granularity allows (hourly 168 hours, daily 60 days, monthly 1 year). Thrown before any call.
/// </summary>
public sealed class UsageWindowException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="from">The requested start.</param>
    /// <param name="to">The requested end.</param>
    /// <param name="granularity">The requested granularity.</param>
    /// <param name="rule">The rule broken, in words.</param>
    public UsageWindowException(DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity, string rule)
        : base(FormattableString.Invariant($"Usage history window {from:O} to {to:O} ({granularity}) is not allowed: {rule}"))
    {
        From = from;
        To = to;
        Granularity = granularity;
    }

    /// <summary>The requested start.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The requested end.</summary>
    public DateTimeOffset To { get; }

    /// <summary>The requested granularity.</summary>
    public UsageGranularity Granularity { get; }
}
