namespace Neon.Tenancy;

/// <summary>
/// The connection factory's state in counters, for the health check (registered by <c>AddNeonTenancy</c> next to
/// <see cref="ITenantConnectionFactory"/>; no connection is opened to read it).
/// </summary>
internal interface ITenantConnectionStats
{
    /// <summary>Data sources in the cache now.</summary>
    int CachedDataSources { get; }

    /// <summary>The most data sources the cache holds.</summary>
    int CacheCapacity { get; }

    /// <summary>Data sources built and not yet disposed (cached, or evicted with connections still open).</summary>
    long AliveDataSources { get; }

    /// <summary>The global budget of physical connections, or <see langword="null"/> when there is none (<see cref="TenantConnectionOptions.ConnectionBudget"/> 0).</summary>
    int? ConnectionBudget { get; }

    /// <summary>Budget slots held now (0 without a budget).</summary>
    int ConnectionBudgetInUse { get; }
}
