using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

/// <summary>
/// Operations of the Neon API were still running when the wait's deadline passed. They were not cancelled and may
/// still finish: resume with <see cref="NeonApiClient.WaitForOperationsAsync"/> on <see cref="PendingOperations"/>
/// instead of repeating the call that started them.
/// </summary>
public sealed class NeonOperationTimeoutException : NeonApiException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pendingOperations">The operations that had not ended, as last read.</param>
    /// <param name="timeout">How long the wait lasted.</param>
    /// <param name="innerException">What interrupted the last poll, if anything.</param>
    public NeonOperationTimeoutException(IReadOnlyList<Operation> pendingOperations, TimeSpan timeout, Exception? innerException = null)
        : base(Describe(pendingOperations, timeout), innerException)
    {
        PendingOperations = pendingOperations;
        Timeout = timeout;
    }

    /// <summary>The operations that had not finished, in their last known state.</summary>
    public IReadOnlyList<Operation> PendingOperations { get; }

    /// <summary>How long the wait lasted before it gave up.</summary>
    public TimeSpan Timeout { get; }

    private static string Describe(IReadOnlyList<Operation> pending, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var list = string.Join(", ", pending.Take(5).Select(o => $"{o.Id} ({o.Action}, {o.Status})"));
        var more = pending.Count > 5 ? $" and {pending.Count - 5} more" : "";
        return $"{pending.Count} Neon operation(s) still running after {timeout.TotalSeconds:0.###} s: {list}{more}.";
    }
}
