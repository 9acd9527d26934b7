namespace Neon.Tenancy;

/// <summary>The time step of <see cref="IUsageClient.GetHistoryAsync"/>, with Neon's look-back limit.</summary>
public enum UsageGranularity
{
    /// <summary>One value per hour; <see cref="UsageHistoryRequest.From"/> at most 168 hours back.</summary>
    Hourly,

    /// <summary>One value per day; at most 60 days back.</summary>
    Daily,

    /// <summary>One value per month; at most 1 year back.</summary>
    Monthly,
}
