namespace Neon.Tenancy.Api.Models;

/// <summary>How an operation's status reads: ended, and how (the one place the SDK sorts Neon's statuses).</summary>
public readonly partial struct OperationStatus
{
    /// <summary>Whether the operation succeeded: <c>finished</c> or <c>skipped</c>.</summary>
    public bool HasSucceeded => this == Finished || this == Skipped;

    /// <summary>Whether the operation failed: <c>failed</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public bool HasFailed => this == Failed || this == Error || this == Cancelled;

    /// <summary>
    /// Whether the operation has ended, either way. <c>scheduling</c>, <c>running</c>, <c>cancelling</c> and any status
    /// Neon adds later count as not ended.
    /// </summary>
    public bool HasEnded => HasSucceeded || HasFailed;
}
