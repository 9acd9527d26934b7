using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>Neon answered 401 (the API key is missing, wrong or revoked) or 403 (the key may not do this); see <see cref="NeonApiException.StatusCode"/>.</summary>
public sealed class NeonAuthorizationException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="statusCode">401 or 403.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    public NeonAuthorizationException(string message, HttpStatusCode statusCode, string? errorCode = null, string? requestId = null)
        : base(message, statusCode, errorCode, requestId, retryAfter: null, isTransient: false)
    {
    }
}
