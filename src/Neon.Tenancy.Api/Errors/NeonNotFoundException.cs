using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>Neon answered 404: the project, branch or other resource does not exist (or is not visible to the key).</summary>
public sealed class NeonNotFoundException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    public NeonNotFoundException(string message, string? errorCode = null, string? requestId = null)
        : base(message, HttpStatusCode.NotFound, errorCode, requestId, retryAfter: null, isTransient: false)
    {
    }
}
