using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Neon.Tenancy.Api;

/// <summary>
/// The resilience pipeline of every Neon API call, outermost stage first:
/// <list type="number">
/// <item>the call's deadline (<see cref="NeonApiOptions.Timeout"/>): attempts, retry delays and permit waits together;</item>
/// <item>retries (<see cref="NeonRetryOptions"/>): 423, 429 and 503 for every method, other 5xx, network failures and
/// attempt timeouts only for GET, HEAD and OPTIONS; exponential backoff that never undercuts <c>Retry-After</c>, and no
/// retry whose delay would reach the deadline;</item>
/// <item>a permit of the client-side rate limits per attempt (<see cref="NeonRateLimitStrategy"/>);</item>
/// <item>one attempt's timeout (<see cref="NeonApiOptions.AttemptTimeout"/>), until an error body is read.</item>
/// </list>
/// </summary>
/// <remarks>
/// Every figure comes from the options snapshot the call started with (<see cref="NeonCall"/>), so the one pipeline
/// follows option changes: Polly's own retry limit is "unbounded" and the predicate decides. The deadline stage marks
/// the call when it fires, so that the handler tells an expired deadline from an attempt timeout that was not retried.
/// </remarks>
internal sealed class NeonApiPipeline
{
    private readonly NeonRateLimiter _rateLimiter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    private NeonApiPipeline(NeonRateLimiter rateLimiter, TimeProvider timeProvider, ILogger logger)
    {
        _rateLimiter = rateLimiter;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public static ResiliencePipeline<HttpResponseMessage> Create(NeonRateLimiter rateLimiter, TimeProvider timeProvider, ILogger logger)
    {
        var stages = new NeonApiPipeline(rateLimiter, timeProvider, logger);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(new TimeoutStrategyOptions
            {
                Name = "NeonDeadline",
                TimeoutGenerator = static args => new ValueTask<TimeSpan>(NeonCall.From(args.Context).Options.Timeout),
                OnTimeout = static args =>
                {
                    NeonCall.From(args.Context).DeadlineExpired = true;
                    return default;
                },
            })
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Name = "NeonRetry",
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = stages.ShouldRetryAsync,
                DelayGenerator = static args => new ValueTask<TimeSpan?>(NeonCall.From(args.Context).NextDelay),
                OnRetry = stages.OnRetryAsync,
            })
            .AddStrategy(_ => new NeonRateLimitStrategy(rateLimiter, timeProvider, logger))
            .AddTimeout(new TimeoutStrategyOptions
            {
                Name = "NeonAttemptTimeout",
                TimeoutGenerator = static args => new ValueTask<TimeSpan>(NeonCall.From(args.Context).Options.AttemptTimeout),
                OnTimeout = stages.OnAttemptTimeoutAsync,
            })
            .Build();
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

    private ValueTask OnAttemptTimeoutAsync(OnTimeoutArguments args)
    {
        var call = NeonCall.From(args.Context);
        NeonApiLog.AttemptFailed(_logger, call.Method, call.Route, call.Attempts, _timeProvider.GetElapsedTime(call.AttemptTimestamp).TotalMilliseconds, "attempt timeout", call.RequestId);
        return default;
    }

    private async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var call = NeonCall.From(args.Context);
        call.NextDelay = null;
        TimeSpan? retryAfter = null;
        string outcome;

        if (args.Outcome.Exception is { } exception)
        {
            // Neon: POST/PATCH/PUT/DELETE are not safe to replay after a network error or timeout.
            if (!call.IsIdempotent || exception is not (HttpRequestException or TimeoutRejectedException))
            {
                return false;
            }

            outcome = exception is TimeoutRejectedException ? "an attempt timeout" : "a network failure";
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
        var call = NeonCall.From(args.Context);
        NeonApiLog.RetryScheduled(_logger, call.Method, call.Route, args.AttemptNumber + 1, call.LastOutcome ?? "a failure", args.RetryDelay.TotalMilliseconds, call.RequestId);
        args.Outcome.Result?.Dispose();
        return ValueTask.CompletedTask;
    }
}
