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

/// <summary>
/// Neon answered 423 Locked after the retries: the project still has running operations, or it is locked because
/// a quota is exhausted (then <see cref="NeonApiException.IsTransient"/> is <see langword="false"/>).
/// </summary>
public sealed class NeonLockedException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> Neon sent, if any.</param>
    /// <param name="isQuotaExceeded">Whether the lock comes from an exhausted quota (not transient).</param>
    public NeonLockedException(string message, string? errorCode = null, string? requestId = null, TimeSpan? retryAfter = null, bool isQuotaExceeded = false)
        : base(message, (HttpStatusCode)423, errorCode, requestId, retryAfter, isTransient: !isQuotaExceeded)
    {
        IsQuotaExceeded = isQuotaExceeded;
    }

    /// <summary>Gets a value indicating whether the lock comes from an exhausted quota; retrying will not help until the quota changes.</summary>
    public bool IsQuotaExceeded { get; }
}

/// <summary>
/// The call was rate limited: Neon answered 429 after the retries (<see cref="NeonApiException.StatusCode"/> is 429),
/// or the client-side rate limiter's queue was full and no request was sent (<see cref="NeonApiException.StatusCode"/> is <see langword="null"/>).
/// </summary>
public sealed class NeonRateLimitedException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="statusCode">429 when Neon answered, <see langword="null"/> when the client-side limiter refused the call.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> Neon sent, if any.</param>
    public NeonRateLimitedException(string message, HttpStatusCode? statusCode = HttpStatusCode.TooManyRequests, string? errorCode = null, string? requestId = null, TimeSpan? retryAfter = null)
        : base(message, statusCode, errorCode, requestId, retryAfter, isTransient: true)
    {
    }
}

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

/// <summary>
/// Neon answered with a successful status but a body the client cannot use: empty, not JSON, truncated, or not the
/// documented shape (a value of the wrong type, a required field missing or null, an operation without an id).
/// <see cref="Field"/> names the JSON path to blame when there is one. A truncated body is transient
/// (<see cref="NeonApiException.IsTransient"/>); the others are not.
/// </summary>
/// <remarks>The message says what was wrong and where; it never carries the body.</remarks>
public sealed class NeonMalformedResponseException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="statusCode">The (successful) status Neon answered with, if known.</param>
    /// <param name="field">The JSON path of the field to blame (for example <c>$.operation.id</c>), if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="isTruncated">Whether the body broke off before its end.</param>
    /// <param name="innerException">The cause, if any.</param>
    public NeonMalformedResponseException(string message, HttpStatusCode? statusCode = null, string? field = null, string? requestId = null,
        bool isTruncated = false, Exception? innerException = null)
        : base(message, statusCode, errorCode: null, requestId, retryAfter: null, isTransient: isTruncated, innerException)
    {
        Field = field;
        IsTruncated = isTruncated;
    }

    /// <summary>Gets the JSON path of the field to blame (for example <c>$.operation.id</c>), or <see langword="null"/>.</summary>
    public string? Field { get; }

    /// <summary>Gets a value indicating whether the body broke off before its end (fewer bytes than <c>Content-Length</c>, or JSON cut off).</summary>
    public bool IsTruncated { get; }
}
