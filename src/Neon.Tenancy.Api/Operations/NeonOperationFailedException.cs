using Neon.Tenancy.Api.Models;

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
