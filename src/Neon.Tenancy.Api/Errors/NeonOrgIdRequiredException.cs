using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>Neon answered 400 "org_id is required": the account belongs to an organization; set <see cref="NeonApiOptions.OrgId"/>.</summary>
public sealed class NeonOrgIdRequiredException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    public NeonOrgIdRequiredException(string message, string? errorCode = null, string? requestId = null)
        : base(message, HttpStatusCode.BadRequest, errorCode, requestId, retryAfter: null, isTransient: false)
    {
    }
}
