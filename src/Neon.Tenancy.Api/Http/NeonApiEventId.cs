namespace Neon.Tenancy.Api;

/// <summary>
/// The ids of the log events of the Neon API client (category <c>Neon.Tenancy.Api.NeonApiHandler</c>), for filtering
/// and alerting. The event name of each is the name of its constant. Ids 1000-1099 belong to the API client; they never change
/// meaning. No event carries the API key, a header or a body.
/// </summary>
public static class NeonApiEventId
{
    /// <summary>An attempt got an answer (Debug): method, route, attempt, status, duration, request id.</summary>
    public const int AttemptCompleted = 1000;

    /// <summary>An attempt failed without an answer (Warning): network failure, attempt timeout or a body that broke off.</summary>
    public const int AttemptFailed = 1001;

    /// <summary>A retry was scheduled (Information): what the attempt gave and the delay.</summary>
    public const int RetryScheduled = 1002;

    /// <summary>A retry was abandoned because its delay would reach the call's deadline (Warning); the last answer is returned.</summary>
    public const int RetryAbandonedDeadline = 1003;

    /// <summary>The call's deadline (<see cref="NeonApiOptions.Timeout"/>) expired (Warning).</summary>
    public const int DeadlineExpired = 1004;

    /// <summary>The client-side rate limiter's queue was full and the call was refused without a request (Warning).</summary>
    public const int RateLimitQueueFull = 1005;

    /// <summary>The call waited for a client-side rate-limit permit (Debug), with how long.</summary>
    public const int RateLimitWaited = 1006;
}
