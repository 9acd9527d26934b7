using System.Globalization;
using System.Net;
using System.Text;

namespace Neon.Tenancy.Api;

/// <summary>
/// Turns an unsuccessful final response (after the runtime's retries) into the matching <see cref="NeonApiException"/>.
/// </summary>
internal static class NeonApiErrorFactory
{
    /// <summary>
    /// Reads the error body of <paramref name="response"/> (malformed, empty or non-JSON bodies are tolerated)
    /// and creates the exception; it does not dispose the response.
    /// </summary>
    public static Task<NeonApiException> CreateAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        CreateAsync(response, TimeProvider.System, cancellationToken);

    /// <summary>As <see cref="CreateAsync(HttpResponseMessage, CancellationToken)"/>, resolving an HTTP-date <c>Retry-After</c> against <paramref name="timeProvider"/>.</summary>
    internal static async Task<NeonApiException> CreateAsync(HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);

        var body = await NeonErrorBody.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return Create(response, body, timeProvider);
    }

    internal static NeonApiException Create(HttpResponseMessage response, NeonErrorBody? body, TimeProvider timeProvider)
    {
        var request = response.RequestMessage;
        var status = response.StatusCode;
        var code = string.IsNullOrWhiteSpace(body?.Code) ? null : body.Code;
        var neonMessage = NeonMessageScrubber.Scrub(body?.Message);
        var requestId = NonEmpty(body?.RequestId)
            ?? NonEmpty(NeonHeaders.GetFirst(response.Headers, NeonHeaders.RequestId))
            ?? (request is null ? null : NonEmpty(NeonHeaders.GetFirst(request.Headers, NeonHeaders.RequestId)));

        TimeSpan? retryAfter = request is not null && request.Options.TryGetValue(NeonRequestOptions.RetryAfter, out var resolved)
            ? resolved
            : NeonHeaders.GetRetryAfter(response, timeProvider);
        var attempts = request is not null && request.Options.TryGetValue(NeonRequestOptions.Attempts, out var count) ? count : 0;

        var message = FormatMessage(request, status, code, neonMessage, requestId, attempts);

        return status switch
        {
            HttpStatusCode.NotFound => new NeonNotFoundException(message, code, requestId),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new NeonAuthorizationException(message, status, code, requestId),
            NeonErrorClassifier.Locked => new NeonLockedException(message, code, requestId, retryAfter, NeonErrorClassifier.IsQuotaLock(code, body?.Message)),
            HttpStatusCode.TooManyRequests => new NeonRateLimitedException(message, status, code, requestId, retryAfter),
            HttpStatusCode.UnprocessableEntity when NeonErrorClassifier.IsPlanLimit(code) => new NeonPlanLimitException(message, code, requestId),
            HttpStatusCode.BadRequest when NeonErrorClassifier.IsOrgIdRequired(body?.Message) => new NeonOrgIdRequiredException(message, code, requestId),
            _ => new NeonApiException(message, status, code, requestId, retryAfter, NeonErrorClassifier.IsTransientStatus(status)),
        };
    }

    /// <summary>
    /// A successful status whose body is empty, not JSON, or not the documented shape: the caller gets the status and
    /// request id, never a bare <see cref="System.Text.Json.JsonException"/> (nor the body, which may hold secrets).
    /// </summary>
    public static NeonApiException MalformedResponse(HttpResponseMessage response, Exception? innerException) =>
        SuccessBodyFailure(response, "with a body that is not the documented JSON", isTransient: false, innerException);

    /// <summary>A successful status whose body could not be read in time, or broke off.</summary>
    public static NeonApiException BodyReadFailed(HttpResponseMessage response, Exception innerException) =>
        SuccessBodyFailure(response, "but its body could not be read within NeonApiOptions.AttemptTimeout", isTransient: true, innerException);

    private static NeonApiException SuccessBodyFailure(HttpResponseMessage response, string what, bool isTransient, Exception? innerException)
    {
        ArgumentNullException.ThrowIfNull(response);
        var request = response.RequestMessage;
        var requestId = NonEmpty(NeonHeaders.GetFirst(response.Headers, NeonHeaders.RequestId))
            ?? (request is null ? null : NonEmpty(NeonHeaders.GetFirst(request.Headers, NeonHeaders.RequestId)));
        var builder = new StringBuilder("Neon API ");
        if (request is not null)
        {
            builder.Append(request.Method.Method).Append(' ').Append(NeonRequestOptions.GetRoute(request)).Append(' ');
        }

        builder.Append(CultureInfo.InvariantCulture, $"answered {(int)response.StatusCode} {what}");
        if (requestId is not null)
        {
            builder.Append(" [request id ").Append(NeonMessageScrubber.Sanitize(requestId)).Append(']');
        }

        return new NeonApiException(builder.ToString(), response.StatusCode, errorCode: null, requestId, retryAfter: null, isTransient, innerException);
    }

    private static string FormatMessage(HttpRequestMessage? request, HttpStatusCode status, string? code, string? neonMessage, string? requestId, int attempts)
    {
        var builder = new StringBuilder("Neon API ");
        if (request is not null)
        {
            builder.Append(request.Method.Method).Append(' ').Append(NeonRequestOptions.GetRoute(request)).Append(' ');
        }

        builder.Append(CultureInfo.InvariantCulture, $"failed with {(int)status}");
        if (code is not null)
        {
            builder.Append(" (").Append(NeonMessageScrubber.Sanitize(code)).Append(')');
        }

        if (attempts > 1)
        {
            builder.Append(CultureInfo.InvariantCulture, $" after {attempts} attempts");
        }

        if (neonMessage is not null)
        {
            builder.Append(": ").Append(neonMessage);
        }

        if (status == HttpStatusCode.BadRequest && NeonErrorClassifier.IsOrgIdRequired(neonMessage))
        {
            builder.Append(" (set NeonApiOptions.OrgId)");
        }

        if (requestId is not null)
        {
            builder.Append(" [request id ").Append(NeonMessageScrubber.Sanitize(requestId)).Append(']');
        }

        return builder.ToString();
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
