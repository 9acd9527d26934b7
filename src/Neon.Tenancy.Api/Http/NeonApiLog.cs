using System.Net;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy.Api;

/// <summary>
/// Logging of the Neon API HTTP runtime; the ids and names are <see cref="NeonApiEventId"/>'s.
/// Templates never carry the API key, headers or bodies.
/// </summary>
internal static partial class NeonApiLog
{
    [LoggerMessage(EventId = NeonApiEventId.AttemptCompleted, EventName = nameof(NeonApiEventId.AttemptCompleted), Level = LogLevel.Debug,
        Message = "Neon API {Method} {Route} attempt {Attempt} answered {StatusCode} in {ElapsedMs:0.0} ms (request id {RequestId})")]
    internal static partial void AttemptCompleted(ILogger logger, string method, string route, int attempt, int statusCode, double elapsedMs, string requestId);

    [LoggerMessage(EventId = NeonApiEventId.AttemptFailed, EventName = nameof(NeonApiEventId.AttemptFailed), Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} attempt {Attempt} failed without an answer after {ElapsedMs:0.0} ms: {Reason} (request id {RequestId})")]
    internal static partial void AttemptFailed(ILogger logger, string method, string route, int attempt, double elapsedMs, string reason, string requestId);

    [LoggerMessage(EventId = NeonApiEventId.RetryScheduled, EventName = nameof(NeonApiEventId.RetryScheduled), Level = LogLevel.Information,
        Message = "Neon API {Method} {Route} attempt {Attempt} gave {Outcome}; retrying in {DelayMs:0} ms (request id {RequestId})")]
    internal static partial void RetryScheduled(ILogger logger, string method, string route, int attempt, string outcome, double delayMs, string requestId);

    [LoggerMessage(EventId = NeonApiEventId.RetryAbandonedDeadline, EventName = nameof(NeonApiEventId.RetryAbandonedDeadline), Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} attempt {Attempt} gave {Outcome}; the next retry in {DelayMs:0} ms would pass the deadline ({RemainingMs:0} ms left), giving up (request id {RequestId})")]
    internal static partial void RetryAbandonedDeadline(ILogger logger, string method, string route, int attempt, string outcome, double delayMs, double remainingMs, string requestId);

    [LoggerMessage(EventId = NeonApiEventId.DeadlineExpired, EventName = nameof(NeonApiEventId.DeadlineExpired), Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} timed out after {Attempts} attempt(s) and {ElapsedMs:0} ms (deadline {TimeoutMs:0} ms) (request id {RequestId})")]
    internal static partial void DeadlineExpired(ILogger logger, string method, string route, int attempts, double elapsedMs, double timeoutMs, string requestId);

    [LoggerMessage(EventId = NeonApiEventId.RateLimitQueueFull, EventName = nameof(NeonApiEventId.RateLimitQueueFull), Level = LogLevel.Warning,
        Message = "Neon API {Method} {Route} refused by the client-side rate limiter: its queue is full (request id {RequestId})")]
    internal static partial void RateLimitQueueFull(ILogger logger, string method, string route, string requestId);

    [LoggerMessage(EventId = NeonApiEventId.RateLimitWaited, EventName = nameof(NeonApiEventId.RateLimitWaited), Level = LogLevel.Debug,
        Message = "Neon API {Method} {Route} waited {ElapsedMs:0.0} ms for a client-side rate-limit permit (request id {RequestId})")]
    internal static partial void RateLimitWaited(ILogger logger, string method, string route, double elapsedMs, string requestId);

    internal static string Describe(HttpStatusCode statusCode) => ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
