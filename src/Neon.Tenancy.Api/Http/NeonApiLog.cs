using System.Net;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy.Api;

/// <summary>
/// Logging of the Neon API HTTP runtime. Event ids 1000-1099 belong to this area:
/// 1000 attempt answered, 1001 attempt failed without an answer, 1002 retry scheduled,
/// 1003 retry abandoned because the deadline is too close, 1004 call deadline expired,
/// 1005 rate-limiter queue full, 1006 waited for a rate-limit permit.
/// Templates never carry the API key, headers or bodies.
/// </summary>
internal static partial class NeonApiLog
{
    [LoggerMessage(EventId = 1000, EventName = "AttemptCompleted", Level = LogLevel.Debug,
        Message = "Neon API {Method} {Route} attempt {Attempt} answered {StatusCode} in {ElapsedMs:0.0} ms (request id {RequestId})")]
    internal static partial void AttemptCompleted(ILogger logger, string method, string route, int attempt, int statusCode, double elapsedMs, string requestId);

    [LoggerMessage(EventId = 1001, EventName = "AttemptFailed", Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} attempt {Attempt} failed without an answer after {ElapsedMs:0.0} ms: {Reason} (request id {RequestId})")]
    internal static partial void AttemptFailed(ILogger logger, string method, string route, int attempt, double elapsedMs, string reason, string requestId);

    [LoggerMessage(EventId = 1002, EventName = "RetryScheduled", Level = LogLevel.Information,
        Message = "Neon API {Method} {Route} attempt {Attempt} gave {Outcome}; retrying in {DelayMs:0} ms (request id {RequestId})")]
    internal static partial void RetryScheduled(ILogger logger, string method, string route, int attempt, string outcome, double delayMs, string requestId);

    [LoggerMessage(EventId = 1003, EventName = "RetryAbandonedDeadline", Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} attempt {Attempt} gave {Outcome}; the next retry in {DelayMs:0} ms would pass the deadline ({RemainingMs:0} ms left), giving up (request id {RequestId})")]
    internal static partial void RetryAbandonedDeadline(ILogger logger, string method, string route, int attempt, string outcome, double delayMs, double remainingMs, string requestId);

    [LoggerMessage(EventId = 1004, EventName = "DeadlineExpired", Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} timed out after {Attempts} attempt(s) and {ElapsedMs:0} ms (deadline {TimeoutMs:0} ms) (request id {RequestId})")]
    internal static partial void DeadlineExpired(ILogger logger, string method, string route, int attempts, double elapsedMs, double timeoutMs, string requestId);

    [LoggerMessage(EventId = 1005, EventName = "RateLimitQueueFull", Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} refused by the client-side rate limiter: its queue is full (request id {RequestId})")]
    internal static partial void RateLimitQueueFull(ILogger logger, string method, string route, string requestId);

    [LoggerMessage(EventId = 1006, EventName = "RateLimitWaited", Level = LogLevel.Debug,
        Message = "Neon API {Method} {Route} waited {ElapsedMs:0.0} ms for a client-side rate-limit permit (request id {RequestId})")]
    internal static partial void RateLimitWaited(ILogger logger, string method, string route, double elapsedMs, string requestId);

    internal static string Describe(HttpStatusCode statusCode) => ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
