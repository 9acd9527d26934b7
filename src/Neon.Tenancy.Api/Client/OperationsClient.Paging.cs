using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

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
