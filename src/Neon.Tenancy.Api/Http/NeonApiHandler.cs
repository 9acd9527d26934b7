using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Neon.Tenancy.Api;

/// <summary>
/// The HTTP runtime under the generated client: authentication, request id, user agent, and the
/// <see cref="NeonApiPipeline"/> (deadline, retries, client-side rate limits, attempt timeout), with logging and tracing.
/// </summary>
/// <remarks>
/// <para>
/// One call = one <see cref="SendAsync"/>. Every attempt sends the caller's request again (its content buffered once
/// when it is not a byte array already), with the <c>Authorization</c> header read from the options for that attempt,
/// <c>Accept</c>, the <c>Neon.Tenancy</c> user agent and <c>X-Request-ID</c> (one id per call, kept across its retries so
/// Neon's logs tie them together; a caller-supplied id is kept).
/// </para>
/// <para>
/// The final response, successful or not, is returned with <see cref="HttpResponseMessage.RequestMessage"/> set to
/// the caller's request; an unsuccessful one has its body buffered, a successful one is left to stream; the caller maps a failure with
/// <see cref="NeonApiErrorFactory"/>. Exceptions: <see cref="NeonApiTimeoutException"/> (deadline expired, or an
/// attempt timed out and could not be retried), <see cref="NeonApiException"/> with the <see cref="HttpRequestException"/>
/// inside (network failure not retried or retries exhausted), <see cref="NeonRateLimitedException"/> without status
/// (rate-limiter queue full) and <see cref="OperationCanceledException"/> (the caller cancelled).
/// </para>
/// </remarks>
internal sealed class NeonApiHandler : DelegatingHandler
{
    private readonly IOptionsMonitor<NeonApiOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly string _userAgent = "Neon.Tenancy/" + NeonApiDiagnostics.Version;

    public NeonApiHandler(
        IOptionsMonitor<NeonApiOptions> options,
        NeonRateLimiter rateLimiter,
        TimeProvider timeProvider,
        ILogger<NeonApiHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(rateLimiter);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _pipeline = NeonApiPipeline.Create(rateLimiter, timeProvider, logger);
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var options = _options.CurrentValue;
        var call = new NeonCall(request, options, EnsureRequestId(request), _timeProvider.GetTimestamp());
        using var activity = NeonApiTracing.Start(call);

        request.Headers.Remove(NeonHeaders.Accept);
        request.Headers.TryAddWithoutValidation(NeonHeaders.Accept, "application/json");
        request.Headers.TryAddWithoutValidation(NeonHeaders.UserAgent, _userAgent);

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        call.AttachTo(context);
        try
        {
            var response = await _pipeline.ExecuteAsync(
                static (ctx, self) => self.SendAttemptAsync(ctx), context, this).ConfigureAwait(false);

            request.Options.Set(NeonRequestOptions.Attempts, call.Attempts);
            if (!response.IsSuccessStatusCode)
            {
                // For NeonApiErrorFactory: Retry-After resolved on this handler's clock.
                if (NeonHeaders.GetRetryAfter(response, _timeProvider) is { } retryAfter)
                {
                    request.Options.Set(NeonRequestOptions.RetryAfter, retryAfter);
                }
            }

            NeonApiTracing.Complete(activity, call, response.StatusCode, errorType: response.IsSuccessStatusCode ? null : NeonApiLog.Describe(response.StatusCode));
            return response;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            NeonApiTracing.Complete(activity, call, null, "canceled");
            throw new OperationCanceledException("The Neon API call was canceled by the caller.", ex, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            NeonApiTracing.Complete(activity, call, null, "timeout");
            throw TimedOut(call, ex);
        }
        catch (HttpRequestException ex)
        {
            NeonApiTracing.Complete(activity, call, null, ex.HttpRequestError.ToString());
            throw new NeonApiException(
                string.Create(CultureInfo.InvariantCulture, $"Neon API {call.Method} {call.Route} failed without an answer ({ex.HttpRequestError}) after {call.Attempts} attempt(s){RetryNote(call)} [request id {call.RequestId}]"),
                statusCode: null,
                errorCode: null,
                call.RequestId,
                retryAfter: null,
                isTransient: true,
                ex);
        }
        catch (Exception ex) when (activity is not null)
        {
            NeonApiTracing.Complete(activity, call, null, ex.GetType().Name);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);

            // The attempts sent the caller's own request; the key must not stay on an object the caller keeps.
            request.Headers.Authorization = null;
        }
    }

    /// <summary>The call's deadline expired (the pipeline's outer stage marked it), or an attempt timed out and was not retried.</summary>
    private NeonApiTimeoutException TimedOut(NeonCall call, TimeoutRejectedException ex)
    {
        var options = call.Options;
        if (call.DeadlineExpired)
        {
            var elapsed = _timeProvider.GetElapsedTime(call.StartTimestamp);
            NeonApiLog.DeadlineExpired(_logger, call.Method, call.Route, call.Attempts, elapsed.TotalMilliseconds, options.Timeout.TotalMilliseconds, call.RequestId);
            return new NeonApiTimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"Neon API {call.Method} {call.Route} timed out: the deadline NeonApiOptions.Timeout ({options.Timeout}) expired after {call.Attempts} attempt(s) [request id {call.RequestId}]"),
                call.Attempts, options.Timeout, call.RequestId, ex);
        }

        return new NeonApiTimeoutException(
            string.Create(CultureInfo.InvariantCulture, $"Neon API {call.Method} {call.Route} timed out: attempt {call.Attempts} got no answer within NeonApiOptions.AttemptTimeout ({options.AttemptTimeout}){RetryNote(call)} [request id {call.RequestId}]"),
            call.Attempts, options.AttemptTimeout, call.RequestId, ex);
    }

    private static string RetryNote(NeonCall call) =>
        call.IsIdempotent ? string.Empty : $"; {call.Method} is not retried after a network failure or timeout because it may have been applied";

    private static string EnsureRequestId(HttpRequestMessage request)
    {
        if (NeonHeaders.GetFirst(request.Headers, NeonHeaders.RequestId) is { Length: > 0 } existing)
        {
            return existing;
        }

        var id = Guid.NewGuid().ToString("D");
        request.Headers.TryAddWithoutValidation(NeonHeaders.RequestId, id);
        return id;
    }

    /// <summary>The innermost stage of the pipeline: one attempt, inside its timeout, after its rate-limit permit.</summary>
    private async ValueTask<HttpResponseMessage> SendAttemptAsync(ResilienceContext context)
    {
        var call = NeonCall.From(context);
        var cancellationToken = context.CancellationToken;
        var request = call.Request;
        if (!call.ContentBuffered)
        {
            // Every attempt re-sends this request (as Microsoft.Extensions.Http.Resilience does): byte-array content
            // can be serialized again as it is, any other content is buffered once so that it can be.
            if (request.Content is not null and not ByteArrayContent and not ReadOnlyMemoryContent)
            {
                await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            call.ContentBuffered = true;
        }

        var attempt = ++call.Attempts;
        call.AttemptTimestamp = _timeProvider.GetTimestamp();

        // Read on every attempt: a rotated key applies to the next request without a new client.
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.CurrentValue.ApiKey);
        HttpResponseMessage? response = null;
        var completed = false;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

            // An error body is small and is read to classify it (and maybe to retry), so the attempt covers all of it.
            // A successful body is streamed into its model by the caller (NeonApiClient bounds that read by
            // AttemptTimeout): buffering it here would copy every response once more.
            if (!response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            response.RequestMessage = request;
            NeonApiLog.AttemptCompleted(_logger, call.Method, call.Route, attempt, (int)response.StatusCode, _timeProvider.GetElapsedTime(call.AttemptTimestamp).TotalMilliseconds, call.RequestId);
            completed = true;
            return response;
        }
        catch (HttpRequestException ex)
        {
            NeonApiLog.AttemptFailed(_logger, call.Method, call.Route, attempt, _timeProvider.GetElapsedTime(call.AttemptTimestamp).TotalMilliseconds, ex.HttpRequestError.ToString(), call.RequestId);
            throw;
        }
        catch (IOException ex)
        {
            NeonApiLog.AttemptFailed(_logger, call.Method, call.Route, attempt, _timeProvider.GetElapsedTime(call.AttemptTimestamp).TotalMilliseconds, HttpRequestError.ResponseEnded.ToString(), call.RequestId);
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response body could not be read.", ex);
        }
        finally
        {
            if (!completed)
            {
                response?.Dispose();
            }
        }
    }
}
