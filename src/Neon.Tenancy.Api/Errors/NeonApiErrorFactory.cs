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
    internal static Task<NeonApiException> CreateAsync(HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        CreateAsync(response, timeProvider, [], cancellationToken);

    /// <summary>As <see cref="CreateAsync(HttpResponseMessage, TimeProvider, CancellationToken)"/>, removing every value of <paramref name="secrets"/> (the configured API keys) from what Neon's answer puts into the exception.</summary>
    internal static async Task<NeonApiException> CreateAsync(HttpResponseMessage response, TimeProvider timeProvider, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(secrets);

        var body = await NeonErrorBody.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return Create(response, body, timeProvider, secrets);
    }

    internal static NeonApiException Create(HttpResponseMessage response, NeonErrorBody? body, TimeProvider timeProvider) =>
        Create(response, body, timeProvider, []);

    internal static NeonApiException Create(HttpResponseMessage response, NeonErrorBody? body, TimeProvider timeProvider, IReadOnlyList<string> secrets)
    {
        var request = response.RequestMessage;
        var status = response.StatusCode;

        // Everything taken from the answer (body and headers) can echo what the request carried: the configured keys go first.
        var code = string.IsNullOrWhiteSpace(body?.Code) ? null : NeonMessageScrubber.Sanitize(body.Code, secrets);
        var neonMessage = NeonMessageScrubber.Scrub(body?.Message, secrets);
        var requestId = RequestId(response, body?.RequestId, secrets);

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
    /// A successful status whose body is empty, not JSON, truncated, or not the documented shape (a wrong type, a required
    /// field missing or null): the caller gets the status, what was wrong and where, and the request id; never a bare
    /// <see cref="System.Text.Json.JsonException"/> nor the body (which may hold secrets).
    /// </summary>
    /// <param name="response">The answer.</param>
    /// <param name="what">What was wrong, e.g. "a required field is missing or null"; no content of the body.</param>
    /// <param name="field">The JSON path of the field, if one is to blame.</param>
    /// <param name="isTruncated">Whether the body broke off (transient: the same call may succeed).</param>
    /// <param name="secrets">The configured API keys.</param>
    /// <param name="innerException">The cause, if any.</param>
    public static NeonMalformedResponseException MalformedResponse(
        HttpResponseMessage response, string what, string? field, bool isTruncated, IReadOnlyList<string> secrets, Exception? innerException)
    {
        ArgumentNullException.ThrowIfNull(response);
        var request = response.RequestMessage;
        var requestId = RequestId(response, null, secrets);
        field = field is null ? null : NeonMessageScrubber.Sanitize(field, secrets);
        var builder = StartMessage(request);

        builder.Append(CultureInfo.InvariantCulture, $"answered {(int)response.StatusCode} with a malformed body: {what}");
        if (field is not null)
        {
            builder.Append(" at ").Append(field);
        }

        if (requestId is not null)
        {
            builder.Append(" [request id ").Append(requestId).Append(']');
        }

        return new NeonMalformedResponseException(builder.ToString(), response.StatusCode, field, requestId, isTruncated, innerException);
    }

    /// <summary>A successful status whose body could not be read within the attempt timeout, or whose connection failed while reading.</summary>
    public static NeonApiException BodyReadFailed(HttpResponseMessage response, IReadOnlyList<string> secrets, Exception innerException)
    {
        ArgumentNullException.ThrowIfNull(response);
        var request = response.RequestMessage;
        var requestId = RequestId(response, null, secrets);
        var builder = StartMessage(request);

        builder.Append(CultureInfo.InvariantCulture, $"answered {(int)response.StatusCode} but its body could not be read within NeonApiOptions.AttemptTimeout");
        if (requestId is not null)
        {
            builder.Append(" [request id ").Append(requestId).Append(']');
        }

        return new NeonApiException(builder.ToString(), response.StatusCode, errorCode: null, requestId, retryAfter: null, isTransient: true, innerException);
    }

    /// <summary>The start every message shares: <c>Neon API {method} {route template} </c> (no path: ids stay out).</summary>
    private static StringBuilder StartMessage(HttpRequestMessage? request)
    {
        var builder = new StringBuilder("Neon API ");
        if (request is not null)
        {
            builder.Append(request.Method.Method).Append(' ').Append(NeonRequestOptions.GetRoute(request)).Append(' ');
        }

        return builder;
    }

    /// <summary>Neon's <c>request_id</c>, else the response's <c>X-Request-ID</c>, else the request's; printable, short, without the configured keys.</summary>
    private static string? RequestId(HttpResponseMessage response, string? fromBody, IReadOnlyList<string> secrets)
    {
        var request = response.RequestMessage;
        var id = NonEmpty(fromBody)
            ?? NonEmpty(NeonHeaders.GetFirst(response.Headers, NeonHeaders.RequestId))
            ?? (request is null ? null : NonEmpty(NeonHeaders.GetFirst(request.Headers, NeonHeaders.RequestId)));
        return id is null ? null : NeonMessageScrubber.Sanitize(id, secrets);
    }

    private static string FormatMessage(HttpRequestMessage? request, HttpStatusCode status, string? code, string? neonMessage, string? requestId, int attempts)
    {
        var builder = StartMessage(request);

        builder.Append(CultureInfo.InvariantCulture, $"failed with {(int)status}");
        if (code is not null)
        {
            builder.Append(" (").Append(code).Append(')');
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
            builder.Append(" [request id ").Append(requestId).Append(']');
        }

        return builder.ToString();
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
