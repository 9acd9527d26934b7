using System.Runtime.CompilerServices;

namespace Neon.Tenancy.Api;

/// <summary>
/// Follows the API's two pagination shapes: <c>pagination.cursor</c> (projects, operations, consumption) and
/// <c>pagination.next</c> (branches). Stops on an empty page or a missing cursor, and refuses a cursor the API
/// already returned, which would otherwise loop forever.
/// </summary>
internal static class NeonPager
{
    public static async IAsyncEnumerable<TItem> EnumerateAsync<TPage, TItem>(
        string routeTemplate,
        Func<string?, CancellationToken, Task<TPage>> fetchPage,
        Func<TPage, IEnumerable<TItem>?> items,
        Func<TPage, string?> nextCursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        while (true)
        {
            var page = await fetchPage(cursor, cancellationToken).ConfigureAwait(false);
            var any = false;
            foreach (var item in items(page) ?? [])
            {
                any = true;
                yield return item;
            }

            cursor = nextCursor(page);
            if (!any || string.IsNullOrEmpty(cursor))
            {
                yield break;
            }

            if (!seen.Add(cursor))
            {
                throw new NeonApiException($"The Neon API returned the pagination cursor '{cursor}' of {routeTemplate} twice; paging stopped to avoid an endless loop.");
            }
        }
    }
}

public sealed partial class ProjectsClient
{
    /// <summary>Lists every project, following <c>pagination.cursor</c> page by page as the caller enumerates.</summary>
    /// <param name="search">Search by project name or id (partial match), or null for all.</param>
    /// <param name="orgId">The organization, required for accounts in an organization unless the API key implies it.</param>
    /// <param name="recoverable">List deleted projects still inside their recovery window instead of live ones.</param>
    /// <param name="pageSize">Projects per call, 1 to 400.</param>
    /// <param name="cancellationToken">A token that cancels the enumeration.</param>
    /// <returns>The projects, lazily.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1 to 400.</exception>
    /// <exception cref="NeonApiException">A page failed, or the API repeated a cursor.</exception>
    public IAsyncEnumerable<ProjectListItem> ListAllProjectsAsync(string? search = null, string? orgId = null, bool recoverable = false,
        int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 400);
        return NeonPager.EnumerateAsync(
            "projects",
            (cursor, ct) => ListProjectsAsync(cursor, pageSize, search, orgId, recoverable: recoverable ? true : null, cancellationToken: ct),
            page => page.Projects,
            page => page.Pagination?.Cursor,
            cancellationToken);
    }
}

public sealed partial class BranchesClient
{
    /// <summary>Lists every branch of a project, following <c>pagination.next</c> page by page.</summary>
    /// <param name="projectId">The project.</param>
    /// <param name="search">Search by branch name or id, or null for all.</param>
    /// <param name="pageSize">Branches per call, 1 to 10,000.</param>
    /// <param name="cancellationToken">A token that cancels the enumeration.</param>
    /// <returns>The branches, lazily.</returns>
    /// <exception cref="ArgumentException"><paramref name="projectId"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1 to 10,000.</exception>
    /// <exception cref="NeonApiException">A page failed, or the API repeated a cursor.</exception>
    public IAsyncEnumerable<Branch> ListAllProjectBranchesAsync(string projectId, string? search = null, int pageSize = 100,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 10_000);
        return NeonPager.EnumerateAsync(
            "projects/{project_id}/branches",
            (cursor, ct) => ListProjectBranchesAsync(projectId, search, cursor: cursor, limit: pageSize, cancellationToken: ct),
            page => page.Branches,
            page => page.Pagination?.Next,
            cancellationToken);
    }
}

public sealed partial class OperationsClient
{
    /// <summary>Lists every operation of a project, newest first, following <c>pagination.cursor</c>.</summary>
    /// <param name="projectId">The project.</param>
    /// <param name="pageSize">Operations per call, 1 to 1,000.</param>
    /// <param name="cancellationToken">A token that cancels the enumeration.</param>
    /// <returns>The operations, lazily.</returns>
    /// <exception cref="ArgumentException"><paramref name="projectId"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1 to 1,000.</exception>
    /// <exception cref="NeonApiException">A page failed, or the API repeated a cursor.</exception>
    public IAsyncEnumerable<Operation> ListAllProjectOperationsAsync(string projectId, int pageSize = 100, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        return NeonPager.EnumerateAsync(
            "projects/{project_id}/operations",
            (cursor, ct) => ListProjectOperationsAsync(projectId, cursor, pageSize, ct),
            page => page.Operations,
            page => page.Pagination?.Cursor,
            cancellationToken);
    }
}

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
