namespace Neon.Tenancy;

/// <summary>What <see cref="IUsageClient.GetHistoryAsync"/> reads. The window is checked against Neon's rules before any call.</summary>
public sealed record UsageHistoryRequest
{
    /// <summary>
    /// The metrics read when <see cref="Metrics"/> is null: compute, root and child branch storage, instant restore,
    /// public transfer and extra branches (what a Launch or Scale invoice is made of).
    /// </summary>
    public static IReadOnlyList<UsageMetric> DefaultMetrics { get; } =
    [
        UsageMetric.ComputeUnitSeconds, UsageMetric.RootBranchBytesMonth, UsageMetric.ChildBranchBytesMonth,
        UsageMetric.InstantRestoreBytesMonth, UsageMetric.PublicNetworkTransferBytes, UsageMetric.ExtraBranchesMonth,
    ];

    /// <summary>The tenants (one or more); <see langword="null"/> for every tenant in the catalog.</summary>
    public IReadOnlyList<TenantId>? Tenants { get; init; }

    /// <summary>Start of the window (Neon rounds it down to the granularity; not before 2024-03-01 UTC).</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the window; after <see cref="From"/>.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>The time step. Default <see cref="UsageGranularity.Daily"/>.</summary>
    public UsageGranularity Granularity { get; init; } = UsageGranularity.Daily;

    /// <summary>The metrics to read; <see langword="null"/> for <see cref="DefaultMetrics"/>.</summary>
    public IReadOnlyList<UsageMetric>? Metrics { get; init; }

    /// <summary>A request for one tenant.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="from">Start of the window.</param>
    /// <param name="to">End of the window.</param>
    /// <param name="granularity">The time step.</param>
    /// <returns>The request.</returns>
    public static UsageHistoryRequest ForTenant(TenantId tenantId, DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity = UsageGranularity.Daily) =>
        new() { Tenants = [tenantId], From = from, To = to, Granularity = granularity };

    /// <summary>A request for every tenant in the catalog.</summary>
    /// <param name="from">Start of the window.</param>
    /// <param name="to">End of the window.</param>
    /// <param name="granularity">The time step.</param>
    /// <returns>The request.</returns>
    public static UsageHistoryRequest ForAllTenants(DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity = UsageGranularity.Daily) =>
        new() { From = from, To = to, Granularity = granularity };
}
