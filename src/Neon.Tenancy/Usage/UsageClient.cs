using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The <see cref="IUsageClient"/>: checks each request, resolves its tenants in the catalog (<see cref="UsageTenants"/>)
/// and hands the reading to one collaborator per idea: current counters (<see cref="CurrentUsageReader"/>), counters
/// against the plan (<see cref="PlanUsageReader"/>, which notifies through <see cref="UsageThresholdTracker"/>), and
/// history (<see cref="UsageHistoryReader"/> behind <see cref="UsageHistoryCache"/>). Fleet reads fan out here.
/// </summary>
internal sealed class UsageClient(
    ITenantCatalog catalog,
    CurrentUsageReader counters,
    PlanUsageReader againstPlan,
    UsageHistoryReader history,
    UsageHistoryCache historyCache,
    IOptionsMonitor<NeonApiOptions> apiOptions,
    IOptions<TenantUsageOptions> options,
    TimeProvider time,
    ILogger<UsageClient> logger) : IUsageClient
{
    public async Task<TenantUsage> GetCurrentUsageAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        var record = await UsageTenants.RequireProjectAsync(catalog, tenantId, cancellationToken).ConfigureAwait(false);
        return await counters.ReadAsync(record, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TenantUsageAgainstPlan> GetUsageAgainstPlanAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        var record = await UsageTenants.RequireProjectAsync(catalog, tenantId, cancellationToken).ConfigureAwait(false);
        return await againstPlan.ReadAsync(record, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FleetUsage> GetFleetUsageAsync(CancellationToken cancellationToken = default)
    {
        var fleet = await ReadFleetAsync(counters.ReadAsync, cancellationToken).ConfigureAwait(false);
        return new FleetUsage(fleet.Read, UsageTotals.Sum(fleet.Read), fleet.WithoutProject, fleet.Failed);
    }

    public async Task<FleetUsageAgainstPlan> GetFleetUsageAgainstPlanAsync(CancellationToken cancellationToken = default)
    {
        var fleet = await ReadFleetAsync(againstPlan.ReadAsync, cancellationToken).ConfigureAwait(false);
        return new FleetUsageAgainstPlan(fleet.Read, fleet.WithoutProject, fleet.Failed);
    }

    public async Task<UsageHistory> GetHistoryAsync(UsageHistoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metrics = UsageHistoryRules.CheckMetrics(request);
        UsageHistoryRules.CheckWindow(request, time.GetUtcNow());
        var orgId = apiOptions.CurrentValue.OrgId;
        if (string.IsNullOrWhiteSpace(orgId))
        {
            throw new UsageOrgIdRequiredException();
        }

        var tenants = await UsageTenants.ResolveAsync(catalog, request.Tenants, cancellationToken).ConfigureAwait(false);
        var query = new UsageHistoryQuery(request, metrics, orgId, tenants);
        return await historyCache.GetOrReadAsync(query.CacheKey(), ct => history.ReadAsync(query, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="read"/> for every tenant of the fleet with a project, at most
    /// <see cref="TenantUsageOptions.MaxConcurrency"/> at once; a tenant's failure is logged and reported, the others go on.
    /// </summary>
    private async Task<FleetRead<T>> ReadFleetAsync<T>(Func<TenantRecord, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        where T : class
    {
        var started = time.GetTimestamp();
        var fleet = await UsageTenants.ListFleetAsync(catalog, cancellationToken).ConfigureAwait(false);
        var tenants = fleet.WithProject;
        var results = new T?[tenants.Count];
        var failed = new ConcurrentDictionary<TenantId, string>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, tenants.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try
                {
                    results[i] = await read(tenants[i], ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    UsageLog.TenantReadFailed(logger, ex, tenants[i].TenantId.Value);
                    failed[tenants[i].TenantId] = ex.Message;
                }
            }).ConfigureAwait(false);
        List<T> readOnes = [.. results.OfType<T>()];
        UsageLog.FleetRead(logger, readOnes.Count, fleet.WithoutProject.Count, failed.Count, time.GetElapsedTime(started).TotalSeconds);
        return new FleetRead<T>(readOnes, fleet.WithoutProject, new Dictionary<TenantId, string>(failed));
    }

    private sealed record FleetRead<T>(List<T> Read, IReadOnlyList<TenantId> WithoutProject, Dictionary<TenantId, string> Failed);
}
