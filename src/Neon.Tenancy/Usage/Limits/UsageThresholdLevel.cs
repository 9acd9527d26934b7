namespace Neon.Tenancy;

/// <summary>How close to a limit a metric is.</summary>
public enum UsageThresholdLevel
{
    /// <summary>Below <see cref="TenantUsageOptions.ThresholdPercent"/>.</summary>
    Normal,

    /// <summary>At or above <see cref="TenantUsageOptions.ThresholdPercent"/>, below 100 %.</summary>
    Approaching,

    /// <summary>At or above 100 %: the limit is reached.</summary>
    Exceeded,
}
