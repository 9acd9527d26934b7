using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>Neon answered 422 with a code ending in <c>_LIMIT_EXCEEDED</c> (for example <c>PROJECTS_LIMIT_EXCEEDED</c>): a plan limit is reached.</summary>
public sealed class NeonPlanLimitException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="errorCode">Neon's error <c>code</c>.</param>
    /// <param name="requestId">The request id, if known.</param>
    public NeonPlanLimitException(string message, string? errorCode, string? requestId = null)
        : base(message, HttpStatusCode.UnprocessableEntity, errorCode, requestId, retryAfter: null, isTransient: false)
    {
    }
}
