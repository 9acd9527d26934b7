namespace Neon.Tenancy.Api;

/// <summary>
/// The call's deadline (<see cref="NeonApiOptions.Timeout"/>) expired, or an attempt timed out
/// (<see cref="NeonApiOptions.AttemptTimeout"/>) and could not be retried. No answer from Neon is available.
/// </summary>
/// <remarks>For POST, PATCH, PUT and DELETE the request may still have been applied by Neon.</remarks>
public sealed class NeonApiTimeoutException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="attempts">How many HTTP attempts were started.</param>
    /// <param name="timeout">The deadline or attempt timeout that expired.</param>
    /// <param name="requestId">The request id sent, if any.</param>
    /// <param name="innerException">The cancellation that ended the call, if any.</param>
    public NeonApiTimeoutException(string message, int attempts, TimeSpan timeout, string? requestId = null, Exception? innerException = null)
        : base(message, statusCode: null, errorCode: null, requestId, retryAfter: null, isTransient: true, innerException)
    {
        Attempts = attempts;
        Timeout = timeout;
    }

    /// <summary>Gets how many HTTP attempts were started before the time ran out.</summary>
    public int Attempts { get; }

    /// <summary>Gets the deadline or attempt timeout that expired.</summary>
    public TimeSpan Timeout { get; }
}
