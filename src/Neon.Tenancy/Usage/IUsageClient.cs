namespace Neon.Tenancy;

/// <summary>
/// Usage for billing and limits: each tenant's current billing period from its project's counters (every Neon plan),
/// billing history from Neon's consumption history (v2; paid plans), and usage against the tenant's plan with
/// notifications to <see cref="IUsageThresholdObserver"/>s. Registered by <c>AddNeonTenancy()</c>; thread-safe.
/// </summary>
/// <remarks>
/// <para>History reads batch project ids 100 per call, follow Neon's cursor pages, go through the API client's
/// separate consumption rate budget, and are cached for <see cref="TenantUsageOptions.HistoryCacheDuration"/> (Neon refreshes
/// the data about every 15 minutes), so a repeated read costs no call.</para>
/// <para>Reading usage never wakes a suspended compute.</para>
/// <para>Errors: a failure of the Neon API escapes as the <see cref="Neon.Tenancy.Api.NeonApiException"/> subtype the API
/// client throws (<see cref="Neon.Tenancy.Api.NeonRateLimitedException"/> when the client's own rate budget refuses a call),
/// unwrapped; failures of the request or the catalog keep their own typed exceptions (<see cref="TenantNotFoundException"/>,
/// <see cref="TenantStateException"/> when the tenant has no project yet, <see cref="UsageWindowException"/>, <see cref="UsageOrgIdRequiredException"/>,
/// <see cref="UnknownPlanException"/>). Fleet reads do not throw for one tenant: they report it in <c>Failed</c>.</para>
/// </remarks>
public interface IUsageClient
{
    /// <summary>Reads the tenant's current billing period counters (one <c>GET /projects/{id}</c>).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The usage.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant has no Neon project yet (<see cref="TenantStateException.Operation"/> is <c>read usage</c>).</exception>
    /// <exception cref="Neon.Tenancy.Api.NeonApiException">Neon refused the read (a subtype names the reason).</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<TenantUsage> GetCurrentUsageAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads every tenant's current counters with at most <see cref="TenantUsageOptions.MaxConcurrency"/> reads at once, and
    /// sums them (the account-level view). A failure for one tenant is reported and does not stop the others.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Each tenant's usage and the totals; a tenant whose read failed (a Neon API error) is in <see cref="FleetUsage.Failed"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<FleetUsage> GetFleetUsageAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads consumption history for one tenant, a list of tenants, or every tenant in the catalog, mapped back to
    /// tenant ids. Answers are cached for <see cref="TenantUsageOptions.HistoryCacheDuration"/> per request, and identical
    /// requests made while one is being read share its calls and its answer.
    /// </summary>
    /// <param name="request">Tenants, window, granularity and metrics.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history; tenants without a project are listed in <see cref="UsageHistory.TenantsWithoutProject"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The request lists no tenant, or an undefined metric or granularity.</exception>
    /// <exception cref="UsageWindowException">The window breaks Neon's rules (checked before any call).</exception>
    /// <exception cref="UsageOrgIdRequiredException"><c>NeonTenancy:Api:OrgId</c> is not set (checked before any call).</exception>
    /// <exception cref="TenantNotFoundException">A listed tenant is not in the catalog (checked before any call).</exception>
    /// <exception cref="Neon.Tenancy.Api.NeonApiException">
    /// Neon refused a read (403 on plans without consumption history, 406 for a window it refuses), the client's consumption
    /// rate budget refused a call (<see cref="Neon.Tenancy.Api.NeonRateLimitedException"/>), or Neon repeated a pagination
    /// cursor (paging stops rather than loop). Nothing is cached then.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<UsageHistory> GetHistoryAsync(UsageHistoryRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the tenant's current counters and compares each metric its plan limits (see <see cref="IPlanLimits"/>)
    /// with the limit; notifies <see cref="IUsageThresholdObserver"/>s of a crossing.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Used, limit, percent, remaining and exceeded per limited metric.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant has no Neon project yet (<see cref="TenantStateException.Operation"/> is <c>read usage</c>).</exception>
    /// <exception cref="UnknownPlanException">The tenant's plan is not configured.</exception>
    /// <exception cref="Neon.Tenancy.Api.NeonApiException">Neon refused a read (a subtype names the reason).</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<TenantUsageAgainstPlan> GetUsageAgainstPlanAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="GetUsageAgainstPlanAsync"/> for every tenant with a project, at most
    /// <see cref="TenantUsageOptions.MaxConcurrency"/> at once. A failure for one tenant is reported and does not stop the others.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Each tenant's headroom, tenants without a project, and failures (a Neon API error or an unknown plan) in <see cref="FleetUsageAgainstPlan.Failed"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<FleetUsageAgainstPlan> GetFleetUsageAgainstPlanAsync(CancellationToken cancellationToken = default);
}
