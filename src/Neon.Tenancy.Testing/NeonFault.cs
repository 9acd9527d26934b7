namespace Neon.Tenancy.Testing;

/// <summary>A failure the fake produces on demand; see <see cref="NeonFaultInjector"/>.</summary>
public sealed class NeonFault
{
    private NeonFault(NeonFaultKind kind, int statusCode = 0, string code = "", string message = "", TimeSpan delay = default)
    {
        Kind = kind;
        StatusCode = statusCode;
        Code = code;
        Message = message;
        Delay = delay;
    }

    internal NeonFaultKind Kind { get; }

    internal int StatusCode { get; }

    internal string Code { get; }

    internal string Message { get; }

    internal TimeSpan Delay { get; }

    /// <summary>423 Locked with Neon's "running operations" error body, as if another operation held the project.</summary>
    /// <returns>The fault.</returns>
    public static NeonFault Locked() =>
        new(NeonFaultKind.Status, 423, "", "project already has running operations, scheduling of new ones is prohibited");

    /// <summary>429 Too Many Requests with a <c>Retry-After</c> header in whole seconds (rounded up).</summary>
    /// <param name="retryAfter">The wait the fake announces; zero sends no <c>Retry-After</c> header.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retryAfter"/> is negative.</exception>
    public static NeonFault TooManyRequests(TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        return new(NeonFaultKind.Status, 429, "", "too many requests", retryAfter);
    }

    /// <summary>500 Internal Server Error.</summary>
    /// <returns>The fault.</returns>
    public static NeonFault InternalServerError() => new(NeonFaultKind.Status, 500, "", "internal server error");

    /// <summary>503 Service Unavailable.</summary>
    /// <returns>The fault.</returns>
    public static NeonFault ServiceUnavailable() => new(NeonFaultKind.Status, 503, "", "service unavailable, please retry");

    /// <summary>Any error status with Neon's error body.</summary>
    /// <param name="statusCode">The HTTP status, 400 to 599.</param>
    /// <param name="code">The Neon error code (may be empty).</param>
    /// <param name="message">The error message.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 400 to 599.</exception>
    public static NeonFault Status(int statusCode, string code, string message)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(message);
        return new(NeonFaultKind.Status, statusCode, code, message);
    }

    /// <summary>
    /// Answers normally, but only after <paramref name="delay"/> of wall-clock time (latency is a network effect that
    /// client timeouts measure in real time, so it does not follow the fake's <see cref="TimeProvider"/>).
    /// </summary>
    /// <param name="delay">The added latency.</param>
    /// <returns>The fault.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static NeonFault Latency(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(NeonFaultKind.Latency, delay: delay);
    }

    /// <summary>Aborts the TCP connection without an answer; the request is not processed.</summary>
    /// <returns>The fault.</returns>
    public static NeonFault DropConnection() => new(NeonFaultKind.DropConnection);

    /// <summary>
    /// The mutation is accepted (2xx), but the operations it starts end <c>failed</c> with an error message instead of
    /// <c>finished</c>. The change the mutation made stays, as with a partial failure on Neon.
    /// </summary>
    /// <returns>The fault.</returns>
    public static NeonFault FailOperation() => new(NeonFaultKind.FailOperation, message: "injected operation failure");
}

internal enum NeonFaultKind
{
    Status,
    Latency,
    DropConnection,
    FailOperation,
}
