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
/// One call = one <see cref="SendAsync"/>. The request body is buffered once and every attempt sends a fresh copy
/// of the request (a sent <see cref="HttpRequestMessage"/> cannot be sent again). The caller's request is never sent
/// itself and never gets the <c>Authorization</c> header; it receives <c>X-Request-ID</c> (one id per call, kept
/// across its retries so Neon's logs tie them together; a caller-supplied id is kept) and internal metadata.
/// </para>
/// <para>
/// The final response, successful or not, is returned with its body buffered and
/// <see cref="HttpResponseMessage.RequestMessage"/> set to the caller's request; the caller maps a failure with
/// <see cref="NeonApiErrorFactory"/>. Exceptions: <see cref="NeonApiTimeoutException"/> (deadline expired, or an
/// attempt timed out and could not be retried), <see cref="NeonApiException"/> with the <see cref="HttpRequestException"/>
/// inside (network failure not retried or retries exhausted), <see cref="NeonRateLimitedException"/> without status
/// (rate-limiter queue full) and <see cref="OperationCanceledException"/> (the caller cancelled).
/// </para>
/// </remarks>
internal sealed class NeonApiHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<NeonCall> CallKey = new("Neon.Tenancy.Call");
    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");

    private readonly IOptionsMonitor<NeonApiOptions> _options;
    private readonly NeonRateLimiter _rateLimiter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ProductInfoHeaderValue _userAgent = new("Neon.Tenancy", NeonApiDiagnostics.Version);

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

        using var deadline = new CancellationTokenSource(options.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(CallKey, call);
        try
        {
            if (request.Content is not null)
            {
                call.Body = await request.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            }

            var response = await _pipeline.ExecuteAsync(
                static (ctx, self) => self.SendAttemptAsync(ctx), context, this).ConfigureAwait(false);

            request.Options.Set(NeonRequestOptions.Attempts, call.Attempts);
            if (NeonHeaders.GetRetryAfter(response, _timeProvider) is { } retryAfter)
            {
                request.Options.Set(NeonRequestOptions.RetryAfter, retryAfter);
            }

            CompleteActivity(activity, call, response.StatusCode, errorType: response.IsSuccessStatusCode ? null : NeonApiLog.Describe(response.StatusCode));
            return response;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            CompleteActivity(activity, call, null, "canceled");
            throw new OperationCanceledException("The Neon API call was canceled by the caller.", ex, cancellationToken);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
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
            if (!await _rateLimiter.AcquireAsync(call.Route, cancellationToken).ConfigureAwait(false))
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
        using var attemptRequest = CreateAttemptRequest(call);
        using var attemptTimeout = new CancellationTokenSource(call.Options.AttemptTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        var started = _timeProvider.GetTimestamp();
        HttpResponseMessage? response = null;
        var completed = false;
        try
        {
            response = await base.SendAsync(attemptRequest, linked.Token).ConfigureAwait(false);

            // The attempt (and so the deadline and the retries) covers the whole body, not only the headers.
            await response.Content.LoadIntoBufferAsync(linked.Token).ConfigureAwait(false);
            response.RequestMessage = call.Request;
            NeonApiLog.AttemptCompleted(_logger, call.Method, call.Route, attempt, (int)response.StatusCode, _timeProvider.GetElapsedTime(started).TotalMilliseconds, call.RequestId);
            completed = true;
            return response;
        }
        catch (OperationCanceledException ex) when (attemptTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
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

    private HttpRequestMessage CreateAttemptRequest(NeonCall call)
    {
        var original = call.Request;
        var copy = new HttpRequestMessage(original.Method, original.RequestUri)
        {
            Version = original.Version,
            VersionPolicy = original.VersionPolicy,
        };

        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        IDictionary<string, object?> copyOptions = copy.Options;
        foreach (var option in original.Options)
        {
            copyOptions[option.Key] = option.Value;
        }

        if (call.Body is not null && original.Content is not null)
        {
            var content = new ByteArrayContent(call.Body);
            foreach (var header in original.Content.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            copy.Content = content;
        }

        // Read on every attempt: a rotated key applies to the next request without a new client.
        copy.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.CurrentValue.ApiKey);
        if (copy.Headers.Accept.Count == 0)
        {
            copy.Headers.Accept.Add(JsonMediaType);
        }

        if (!copy.Headers.UserAgent.Any(static p => p.Product?.Name == "Neon.Tenancy"))
        {
            copy.Headers.UserAgent.Add(_userAgent);
        }

        return copy;
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

        public byte[]? Body { get; set; }

        public int Attempts { get; set; }

        public TimeSpan? NextDelay { get; set; }

        public string? LastOutcome { get; set; }
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
