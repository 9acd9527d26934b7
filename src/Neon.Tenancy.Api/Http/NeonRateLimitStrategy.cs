using Microsoft.Extensions.Logging;
using Polly;

namespace Neon.Tenancy.Api;

/// <summary>
/// The rate-limit stage of <see cref="NeonApiPipeline"/>: every attempt (retries included) waits for a permit of the
/// client-side budgets before it is sent. The wait counts against the call's deadline, not against the attempt's timeout.
/// A full queue refuses the call without sending it (<see cref="NeonRateLimitedException"/> without a status; never retried).
/// </summary>
internal sealed class NeonRateLimitStrategy(NeonRateLimiter rateLimiter, TimeProvider timeProvider, ILogger logger)
    : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext context, TState state)
    {
        if (rateLimiter.IsEnabled)
        {
            var call = NeonCall.From(context);
            var waitStarted = timeProvider.GetTimestamp();
            bool acquired;
            try
            {
                // Calls wait in line by the start of their call: a retry keeps its place.
                acquired = await rateLimiter.AcquireAsync(call.Route, call.StartTimestamp, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
            }
            catch (OperationCanceledException ex)
            {
                return Outcome.FromException<HttpResponseMessage>(ex);
            }

            if (!acquired)
            {
                NeonApiLog.RateLimitQueueFull(logger, call.Method, call.Route, call.RequestId);
                return Outcome.FromException<HttpResponseMessage>(new NeonRateLimitedException(
                    $"Neon API {call.Method} {call.Route} was not sent: the client-side rate limiter's queue is full (NeonApiOptions.RateLimit.QueueLimit) [request id {call.RequestId}]",
                    statusCode: null,
                    requestId: call.RequestId));
            }

            var waited = timeProvider.GetElapsedTime(waitStarted);
            if (waited >= TimeSpan.FromMilliseconds(1))
            {
                NeonApiLog.RateLimitWaited(logger, call.Method, call.Route, waited.TotalMilliseconds, call.RequestId);
            }
        }

        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
