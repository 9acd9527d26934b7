namespace Neon.Tenancy.Api;

/// <summary>An operation of the Neon API ended <c>failed</c>, <c>error</c> or <c>cancelled</c>.</summary>
public sealed class NeonOperationFailedException : NeonApiException
{
    /// <summary>Creates the exception for an operation that ended without success.</summary>
    /// <param name="operation">The operation as last read from the API.</param>
    public NeonOperationFailedException(Operation operation)
        : this(operation, [])
    {
    }

    /// <summary>As the public constructor; <paramref name="secrets"/> (the configured API keys) are removed from Neon's error text.</summary>
    internal NeonOperationFailedException(Operation operation, IReadOnlyList<string> secrets)
        : base(Describe(operation, secrets))
    {
        OperationId = operation.Id;
        ProjectId = operation.ProjectId;
        Action = operation.Action;
        Status = operation.Status;
        Error = NeonMessageScrubber.Scrub(operation.Error, secrets);
    }

    /// <summary>The operation id.</summary>
    public string OperationId { get; }

    /// <summary>The project the operation ran in.</summary>
    public string ProjectId { get; }

    /// <summary>What the operation did, e.g. <c>create_timeline</c>.</summary>
    public OperationAction Action { get; }

    /// <summary>How it ended: <c>failed</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public OperationStatus Status { get; }

    /// <summary>The error Neon reported for the operation, if any, without anything that looks like a key or password.</summary>
    public string? Error { get; }

    private static string Describe(Operation operation, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var error = NeonMessageScrubber.Scrub(operation.Error, secrets) is { } text ? $": {text}" : "";
        return $"Neon operation {operation.Id} ({operation.Action}) in project {operation.ProjectId} ended {operation.Status}{error}.";
    }
}

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
