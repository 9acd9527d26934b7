using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>
/// The root of every error raised by the Neon API client: an unsuccessful answer from Neon, a network failure,
/// or a deadline that expired. <see cref="NeonTenancyException.IsTransient"/> is set for 423 not caused by a quota,
/// 429, 5xx, network failures and timeouts.
/// </summary>
/// <remarks>
/// Messages name the method, the route template, the status and Neon's error code; they never carry the API key,
/// request headers, raw bodies or credentials. Callers usually branch on the sealed subtypes
/// (<see cref="NeonNotFoundException"/>, <see cref="NeonLockedException"/>, <see cref="NeonRateLimitedException"/>,
/// <see cref="NeonAuthorizationException"/>, <see cref="NeonPlanLimitException"/>, <see cref="NeonOrgIdRequiredException"/>,
/// <see cref="NeonMalformedResponseException"/>,
/// <see cref="NeonApiTimeoutException"/>) or on <see cref="NeonTenancyException.IsTransient"/>.
/// </remarks>
public class NeonApiException : NeonTenancyException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public NeonApiException()
        : this("The Neon API call failed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    public NeonApiException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="innerException">The cause, for example an <see cref="HttpRequestException"/>.</param>
    public NeonApiException(string message, Exception? innerException)
        : this(message, statusCode: null, errorCode: null, requestId: null, retryAfter: null, isTransient: false, innerException)
    {
    }

    /// <summary>Initializes a new instance with every detail of the failure.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="statusCode">The HTTP status Neon answered with, or <see langword="null"/> when no answer was received.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if the body carried one.</param>
    /// <param name="requestId">The request id (Neon's <c>request_id</c> or the <c>X-Request-ID</c> sent).</param>
    /// <param name="retryAfter">How long Neon asked to wait before trying again, if it said so.</param>
    /// <param name="isTransient">Whether trying the same call again later may succeed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public NeonApiException(
        string message,
        HttpStatusCode? statusCode,
        string? errorCode,
        string? requestId,
        TimeSpan? retryAfter,
        bool isTransient,
        Exception? innerException = null)
        : base(message, innerException, isTransient)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the HTTP status Neon answered with, or <see langword="null"/> when no answer was received.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets Neon's error <c>code</c> (for example <c>PROJECTS_LIMIT_EXCEEDED</c>), if the body carried one.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets the request id to quote to Neon support: Neon's <c>request_id</c>, else the <c>X-Request-ID</c> header.</summary>
    public string? RequestId { get; }

    /// <summary>Gets how long Neon asked to wait before trying again (<c>Retry-After</c>), if it said so.</summary>
    public TimeSpan? RetryAfter { get; }
}
