using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

public sealed partial class OperationsClient
{
    /// <summary>Neon lists a project's operations newest first; operations that have not ended are among the newest.</summary>
    private const int RunningPageSize = 50;

    /// <summary>
    /// The project's operations that have not ended, whoever started them (among its newest 50: Neon lists them newest
    /// first). One call.
    /// </summary>
    /// <param name="projectId">The project.</param>
    /// <param name="cancellationToken">A token that cancels the call.</param>
    /// <returns>The operations still scheduling, running or cancelling; empty when the project is idle.</returns>
    /// <exception cref="ArgumentException"><paramref name="projectId"/> is empty.</exception>
    /// <exception cref="NeonNotFoundException">Neon does not know the project.</exception>
    /// <exception cref="NeonApiException">The call failed.</exception>
    public async Task<IReadOnlyList<Operation>> GetRunningProjectOperationsAsync(string projectId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        var page = await ListProjectOperationsAsync(projectId, limit: RunningPageSize, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. page.Operations.Where(o => !o.Status.HasEnded)];
    }
}
