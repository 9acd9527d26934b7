using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

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
