using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Neon.Tenancy.Api;

/// <summary>
/// The HTTP runtime under the generated client: authentication, request id, user agent, one deadline per call,
/// retries (Polly), client-side rate limits, logging and tracing.
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
    private static readonly ResiliencePropertyKey<NeonCall> CallKey = new("Neon.Tenancy.Call");

    private readonly IOptionsMonitor<NeonApiOptions> _options;
    private readonly NeonRateLimiter _rateLimiter;
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
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _rateLimiter = rateLimiter ?? throw new ArgumentNullException(nameof(rateLimiter));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));

        // The retry count, delays and deadline come from each call's options snapshot (NeonCall), so the one
        // pipeline follows option changes: Polly's own limit is "unbounded" and ShouldRetryAsync decides.
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = ShouldRetryAsync,
                DelayGenerator = static args => new ValueTask<TimeSpan?>(GetCall(args.Context).NextDelay),
                OnRetry = OnRetryAsync,
            })
            .Build();
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var options = _options.CurrentValue;
        var call = new NeonCall(request, options, EnsureRequestId(request), _timeProvider.GetTimestamp());
        using var activity = StartActivity(call);

        using var deadline = new TimeoutSource(cancellationToken, options.Timeout, _timeProvider);
        var linked = deadline.Source;
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(CallKey, call);
        try
        {
            // Every attempt re-sends this request (as Microsoft.Extensions.Http.Resilience does): byte-array content
            // can be serialized again as it is, any other content is buffered once so that it can be.
            if (request.Content is not null and not ByteArrayContent and not ReadOnlyMemoryContent)
            {
                await request.Content.LoadIntoBufferAsync(linked.Token).ConfigureAwait(false);
            }

            request.Headers.Remove(NeonHeaders.Accept);
            request.Headers.TryAddWithoutValidation(NeonHeaders.Accept, "application/json");
            request.Headers.TryAddWithoutValidation(NeonHeaders.UserAgent, _userAgent);

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

            CompleteActivity(activity, call, response.StatusCode, errorType: response.IsSuccessStatusCode ? null : NeonApiLog.Describe(response.StatusCode));
            return response;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            CompleteActivity(activity, call, null, "canceled");
            throw new OperationCanceledException("The Neon API call was canceled by the caller.", ex, cancellationToken);
        }
        catch (OperationCanceledException ex) when (deadline.TimedOut)
        {
            var elapsed = _timeProvider.GetElapsedTime(call.StartTimestamp);
            NeonApiLog.DeadlineExpired(_logger, call.Method, call.Route, call.Attempts, elapsed.TotalMilliseconds, options.Timeout.TotalMilliseconds, call.RequestId);
            CompleteActivity(activity, call, null, "timeout");
            throw new NeonApiTimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"Neon API {call.Method} {call.Route} timed out: the deadline NeonApiOptions.Timeout ({options.Timeout}) expired after {call.Attempts} attempt(s) [request id {call.RequestId}]"),
                call.Attempts,
                options.Timeout,
                call.RequestId,
                ex);
        }
        catch (NeonAttemptTimeoutException ex)
        {
            CompleteActivity(activity, call, null, "timeout");
            throw new NeonApiTimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"Neon API {call.Method} {call.Route} timed out: attempt {call.Attempts} got no answer within NeonApiOptions.AttemptTimeout ({options.AttemptTimeout}){RetryNote(call)} [request id {call.RequestId}]"),
                call.Attempts,
                options.AttemptTimeout,
                call.RequestId,
                ex);
        }
        catch (HttpRequestException ex)
        {
            CompleteActivity(activity, call, null, ex.HttpRequestError.ToString());
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
            CompleteActivity(activity, call, null, ex.GetType().Name);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);

            // The attempts sent the caller's own request; the key must not stay on an object the caller keeps.
            request.Headers.Authorization = null;
        }
    }

    private static string RetryNote(NeonCall call) =>
        call.IsIdempotent ? string.Empty : $"; {call.Method} is not retried after a network failure or timeout because it may have been applied";

    private static NeonCall GetCall(ResilienceContext context) =>
        context.Properties.TryGetValue(CallKey, out var call) ? call : throw new InvalidOperationException("The Neon call state is missing.");

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

    private static Activity? StartActivity(NeonCall call)
    {
        if (!NeonApiDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = NeonApiDiagnostics.ActivitySource.StartActivity($"{call.Method} {call.Route}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(NeonApiDiagnostics.TagMethod, call.Method);
            activity.SetTag(NeonApiDiagnostics.TagRoute, call.Route);
            activity.SetTag(NeonApiDiagnostics.TagRequestId, call.RequestId);
            if (call.OperationId is not null)
            {
                activity.SetTag(NeonApiDiagnostics.TagOperationId, call.OperationId);
            }
        }

        return activity;
    }

    private static void CompleteActivity(Activity? activity, NeonCall call, HttpStatusCode? status, string? errorType)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (status is { } code)
        {
            activity.SetTag(NeonApiDiagnostics.TagStatus, (int)code);
        }

        activity.SetTag(NeonApiDiagnostics.TagResendCount, Math.Max(0, call.Attempts - 1));
        if (errorType is not null)
        {
            activity.SetTag(NeonApiDiagnostics.TagErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private async ValueTask<HttpResponseMessage> SendAttemptAsync(ResilienceContext context)
    {
        var call = GetCall(context);
        var cancellationToken = context.CancellationToken;

        if (_rateLimiter.IsEnabled)
        {
            var waitStarted = _timeProvider.GetTimestamp();
            if (!await _rateLimiter.AcquireAsync(call.Route, call.StartTimestamp, cancellationToken).ConfigureAwait(false))
            {
                NeonApiLog.RateLimitQueueFull(_logger, call.Method, call.Route, call.RequestId);
                throw new NeonRateLimitedException(
                    $"Neon API {call.Method} {call.Route} was not sent: the client-side rate limiter's queue is full (NeonApiOptions.RateLimit.QueueLimit) [request id {call.RequestId}]",
                    statusCode: null,
                    requestId: call.RequestId);
            }

            var waited = _timeProvider.GetElapsedTime(waitStarted);
            if (waited >= TimeSpan.FromMilliseconds(1))
            {
                NeonApiLog.RateLimitWaited(_logger, call.Method, call.Route, waited.TotalMilliseconds, call.RequestId);
            }
        }

        var attempt = ++call.Attempts;
        var attemptRequest = call.Request;

        // Read on every attempt: a rotated key applies to the next request without a new client.
        attemptRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.CurrentValue.ApiKey);
        using var attemptTimeout = new TimeoutSource(cancellationToken, call.Options.AttemptTimeout, _timeProvider);
        var linked = attemptTimeout.Source;
        var started = _timeProvider.GetTimestamp();
        HttpResponseMessage? response = null;
        var completed = false;
        try
        {
            response = await base.SendAsync(attemptRequest, linked.Token).ConfigureAwait(false);

            // An error body is small and is read to classify it (and maybe to retry), so the attempt covers all of it.
            // A successful body is streamed into its model by the caller (NeonApiClient bounds that read by
            // AttemptTimeout): buffering it here would copy every response once more.
            if (!response.IsSuccessStatusCode)
            {
                await response.Content.LoadIntoBufferAsync(linked.Token).ConfigureAwait(false);
            }

            response.RequestMessage = call.Request;
            NeonApiLog.AttemptCompleted(_logger, call.Method, call.Route, attempt, (int)response.StatusCode, _timeProvider.GetElapsedTime(started).TotalMilliseconds, call.RequestId);
            completed = true;
            return response;
        }
        catch (OperationCanceledException ex) when (attemptTimeout.TimedOut)
        {
            NeonApiLog.AttemptFailed(_logger, call.Method, call.Route, attempt, _timeProvider.GetElapsedTime(started).TotalMilliseconds, "attempt timeout", call.RequestId);
            throw new NeonAttemptTimeoutException(ex);
        }
        catch (HttpRequestException ex)
        {
            NeonApiLog.AttemptFailed(_logger, call.Method, call.Route, attempt, _timeProvider.GetElapsedTime(started).TotalMilliseconds, ex.HttpRequestError.ToString(), call.RequestId);
            throw;
        }
        catch (IOException ex)
        {
            NeonApiLog.AttemptFailed(_logger, call.Method, call.Route, attempt, _timeProvider.GetElapsedTime(started).TotalMilliseconds, HttpRequestError.ResponseEnded.ToString(), call.RequestId);
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

    private async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var call = GetCall(args.Context);
        call.NextDelay = null;
        TimeSpan? retryAfter = null;
        string outcome;

        if (args.Outcome.Exception is { } exception)
        {
            // Neon: POST/PATCH/PUT/DELETE are not safe to replay after a network error or timeout.
            if (!call.IsIdempotent || exception is not (HttpRequestException or NeonAttemptTimeoutException))
            {
                return false;
            }

            outcome = exception is NeonAttemptTimeoutException ? "an attempt timeout" : "a network failure";
        }
        else if (args.Outcome.Result is { } response)
        {
            var status = response.StatusCode;
            var alwaysRetried = status is NeonErrorClassifier.Locked or HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
            var idempotentRetried = call.IsIdempotent && (int)status >= 500 && status != HttpStatusCode.NotImplemented;
            if (!alwaysRetried && !idempotentRetried)
            {
                return false;
            }

            if (status == NeonErrorClassifier.Locked)
            {
                // A 423 caused by an exhausted quota does not go away by waiting.
                var body = await NeonErrorBody.ReadAsync(response.Content, args.Context.CancellationToken).ConfigureAwait(false);
                if (NeonErrorClassifier.IsQuotaLock(body?.Code, body?.Message))
                {
                    return false;
                }
            }

            retryAfter = NeonHeaders.GetRetryAfter(response, _timeProvider);
            outcome = NeonApiLog.Describe(status);
            if (status == HttpStatusCode.TooManyRequests)
            {
                // Neon's bucket is empty: every caller waits (Retry-After, else this retry's backoff), not only this one,
                // so the queue behind it does not draw more 429s. Whether or not this call is retried.
                _rateLimiter.OnRateLimited(call.Route, retryAfter ?? Backoff(args.AttemptNumber, call.Options.Retry));
            }
        }
        else
        {
            return false;
        }

        if (args.AttemptNumber >= call.Options.Retry.MaxRetryAttempts)
        {
            return false;
        }

        var delay = Backoff(args.AttemptNumber, call.Options.Retry);
        if (retryAfter > delay)
        {
            delay = retryAfter.Value;
        }

        var remaining = call.Options.Timeout - _timeProvider.GetElapsedTime(call.StartTimestamp);
        if (delay >= remaining)
        {
            // Waiting would only end in a timeout: give the caller the real answer (or failure) now.
            NeonApiLog.RetryAbandonedDeadline(_logger, call.Method, call.Route, args.AttemptNumber + 1, outcome, delay.TotalMilliseconds, remaining.TotalMilliseconds, call.RequestId);
            return false;
        }

        call.NextDelay = delay;
        call.LastOutcome = outcome;
        return true;
    }

    private ValueTask OnRetryAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        var call = GetCall(args.Context);
        NeonApiLog.RetryScheduled(_logger, call.Method, call.Route, args.AttemptNumber + 1, call.LastOutcome ?? "a failure", args.RetryDelay.TotalMilliseconds, call.RequestId);
        args.Outcome.Result?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Exponential backoff: BaseDelay * 2^attempt, capped at MaxDelay; with jitter a random 50-100 % of it.</summary>
    internal static TimeSpan Backoff(int attemptNumber, NeonRetryOptions retry)
    {
        var seconds = retry.BaseDelay.TotalSeconds * Math.Pow(2, Math.Min(attemptNumber, 30));
        seconds = Math.Min(seconds, retry.MaxDelay.TotalSeconds);
        if (retry.UseJitter)
        {
            seconds *= 0.5 + (Random.Shared.NextDouble() * 0.5);
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>The state of one call across its attempts.</summary>
    private sealed class NeonCall
    {
        public NeonCall(HttpRequestMessage request, NeonApiOptions options, string requestId, long startTimestamp)
        {
            Request = request;
            Options = options;
            RequestId = requestId;
            StartTimestamp = startTimestamp;
            Method = request.Method.Method;
            Route = NeonRequestOptions.GetRoute(request);
            OperationId = request.Options.TryGetValue(NeonRequestOptions.OperationId, out var operationId) ? operationId : null;
            IsIdempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options;
        }

        public HttpRequestMessage Request { get; }

        public NeonApiOptions Options { get; }

        public string RequestId { get; }

        public long StartTimestamp { get; }

        public string Method { get; }

        public string Route { get; }

        public string? OperationId { get; }

        public bool IsIdempotent { get; }

        public int Attempts { get; set; }

        public TimeSpan? NextDelay { get; set; }

        public string? LastOutcome { get; set; }
    }
}

/// <summary>
/// A token source cancelled by a caller's token or after a timeout on a <see cref="TimeProvider"/>, telling the two apart.
/// On the system clock it is one linked source with <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>; on any
/// other clock (tests) a timer source on that clock linked with the caller's token.
/// </summary>
internal readonly struct TimeoutSource : IDisposable
{
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource? _timer;

    public TimeoutSource(CancellationToken caller, TimeSpan timeout, TimeProvider timeProvider)
    {
        _caller = caller;
        if (timeProvider == TimeProvider.System)
        {
            Source = CancellationTokenSource.CreateLinkedTokenSource(caller);
            Source.CancelAfter(timeout);
        }
        else
        {
            _timer = new CancellationTokenSource(timeout, timeProvider);
            Source = CancellationTokenSource.CreateLinkedTokenSource(caller, _timer.Token);
        }
    }

    /// <summary>The source whose token ends at the timeout or when the caller cancels.</summary>
    public CancellationTokenSource Source { get; }

    /// <summary>Gets a value indicating whether the timeout, not the caller, cancelled <see cref="Source"/>.</summary>
    public bool TimedOut => Source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public void Dispose()
    {
        Source.Dispose();
        _timer?.Dispose();
    }
}

/// <summary>One attempt got no answer within <see cref="NeonApiOptions.AttemptTimeout"/> (internal: retried or mapped to <see cref="NeonApiTimeoutException"/>).</summary>
internal sealed class NeonAttemptTimeoutException : TimeoutException
{
    public NeonAttemptTimeoutException(Exception innerException)
        : base("The attempt timed out.", innerException)
    {
    }
}
