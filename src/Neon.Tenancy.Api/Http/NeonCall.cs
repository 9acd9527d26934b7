using Polly;

namespace Neon.Tenancy.Api;

/// <summary>
/// The state of one call across its attempts, carried by the <see cref="ResilienceContext"/> from stage to stage of
/// <see cref="NeonApiPipeline"/>: the options snapshot the call started with (so a call sees one configuration from
/// its first attempt to its last), its request id, the attempts made and the next retry's delay.
/// </summary>
internal sealed class NeonCall
{
    private static readonly ResiliencePropertyKey<NeonCall> Key = new("Neon.Tenancy.Call");

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

    /// <summary>Gets a value indicating whether the method is safe to send again after a network failure or timeout (Neon: GET, HEAD, OPTIONS).</summary>
    public bool IsIdempotent { get; }

    /// <summary>Gets or sets how many attempts were started.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets when the current attempt started (after its rate-limit permit), on the handler's clock.</summary>
    public long AttemptTimestamp { get; set; }

    /// <summary>Gets or sets the delay before the next retry, decided by the retry stage's predicate.</summary>
    public TimeSpan? NextDelay { get; set; }

    /// <summary>Gets or sets what the last attempt gave, for the retry log.</summary>
    public string? LastOutcome { get; set; }

    /// <summary>Gets or sets a value indicating whether the call's deadline (<see cref="NeonApiOptions.Timeout"/>), not an attempt's, expired.</summary>
    public bool DeadlineExpired { get; set; }

    /// <summary>Gets or sets a value indicating whether the request content has been buffered for resending.</summary>
    public bool ContentBuffered { get; set; }

    public static NeonCall From(ResilienceContext context) =>
        context.Properties.TryGetValue(Key, out var call) ? call : throw new InvalidOperationException("The Neon call state is missing.");

    public void AttachTo(ResilienceContext context) => context.Properties.Set(Key, this);
}
