using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

public sealed partial class ConsumptionClient
{
    /// <summary>
    /// Reads consumption history (v2) for projects of an organization, following <c>pagination.cursor</c>. Each call
    /// counts against the consumption rate budget, which the pipeline enforces.
    /// </summary>
    /// <param name="from">Start of the window (rounded to <paramref name="granularity"/> by Neon).</param>
    /// <param name="to">End of the window.</param>
    /// <param name="granularity">Hourly (168 h back at most), daily (60 days) or monthly (1 year).</param>
    /// <param name="orgId">The organization.</param>
    /// <param name="metrics">The metrics to return, e.g. <c>compute_unit_seconds</c>.</param>
    /// <param name="projectIds">Up to 100 project ids, or null for every project of the organization.</param>
    /// <param name="pageSize">Projects per call, 1 to 100.</param>
    /// <param name="cancellationToken">A token that cancels the enumeration.</param>
    /// <returns>Per-project consumption, lazily.</returns>
    /// <exception cref="ArgumentException">An argument is missing or out of range.</exception>
    /// <exception cref="NeonApiException">A page failed, or the API repeated a cursor.</exception>
    public IAsyncEnumerable<ConsumptionHistoryPerProjectV2> ListAllConsumptionHistoryPerProjectV2Async(DateTimeOffset from, DateTimeOffset to,
        ConsumptionHistoryGranularity granularity, string orgId, IList<string> metrics, IList<string>? projectIds = null, int pageSize = 100,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orgId);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 100);
        if (projectIds is { Count: > 100 })
        {
            throw new ArgumentException("At most 100 project ids fit in one consumption call.", nameof(projectIds));
        }

        return NeonPager.EnumerateAsync(
            "consumption_history/v2/projects",
            (cursor, ct) => GetConsumptionHistoryPerProjectV2Async(from, to, granularity, orgId, metrics, cursor, pageSize, projectIds, ct),
            page => page.Projects,
            page => page.Pagination?.Cursor,
            cancellationToken);
    }
}
