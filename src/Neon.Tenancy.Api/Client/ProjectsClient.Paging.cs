using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

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
