using System.Net;

namespace Neon.Tenancy.Api;

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
