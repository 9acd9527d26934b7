namespace Neon.Tenancy;

/// <summary>How close to a limit a metric is.</summary>
public enum UsageThresholdLevel
{
    /// <summary>Below <see cref="UsageOptions.ThresholdPercent"/>.</summary>
    Normal,

    /// <summary>At or above <see cref="UsageOptions.ThresholdPercent"/>, below 100 %.</summary>
    Approaching,

    /// <summary>At or above 100 %: the limit is reached.</summary>
    Exceeded,
}
