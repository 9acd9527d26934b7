using System.Threading.Channels;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>
/// The network, in memory and in the test's hands: every request waits until the test answers it
/// (<see cref="GatedRequest.Respond"/>), fails it (<see cref="GatedRequest.Drop"/>) or lets the client cancel it. The test
/// takes requests in order with <see cref="NextAsync"/>, so it knows exactly how many were sent and when.
/// </summary>
internal sealed class GatedHandler(TimeProvider time) : HttpMessageHandler
{
    private readonly Channel<GatedRequest> _arrivals = Channel.CreateUnbounded<GatedRequest>();
    private int _count;

    /// <summary>Gets how many requests reached the network.</summary>
    public int RequestCount => Volatile.Read(ref _count);

    /// <summary>The next request that reached the network (in arrival order); fails the test if none comes.</summary>
    public async Task<GatedRequest> NextAsync() =>
        await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(ObservedTimeProvider.Patience);

    /// <summary>Answers the next request with <paramref name="status"/> (and a body), returns it.</summary>
    public async Task<GatedRequest> RespondNextAsync(HttpStatusCode status, string? body = null, Action<HttpResponseMessage>? configure = null)
    {
        var request = await NextAsync();
        request.Respond(status, body, configure);
        return request;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var gated = new GatedRequest(request, body, time.GetUtcNow(), cancellationToken);
        Interlocked.Increment(ref _count);
        _arrivals.Writer.TryWrite(gated);
        return await gated.Response;
    }
}

/// <summary>One request as it reached the network (headers and body copied on arrival), waiting for the test.</summary>
internal sealed class GatedRequest
{
    private readonly TaskCompletionSource<HttpResponseMessage> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _canceled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpRequestMessage _request;

    public GatedRequest(HttpRequestMessage request, string? body, DateTimeOffset arrivedAt, CancellationToken cancellationToken)
    {
        _request = request;
        Method = request.Method;
        Path = request.RequestUri!.AbsolutePath;
        Body = body;
        ArrivedAt = arrivedAt;
        Headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        ContentType = request.Content?.Headers.ContentType?.ToString();
        cancellationToken.Register(() =>
        {
            _canceled.TrySetResult();
            _response.TrySetCanceled(cancellationToken);
        });
    }

    public HttpMethod Method { get; }

    public string Path { get; }

    public string? Body { get; }

    /// <summary>Gets when the request arrived, on the test's clock.</summary>
    public DateTimeOffset ArrivedAt { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? ContentType { get; }

    internal Task<HttpResponseMessage> Response => _response.Task;

    /// <summary>Completes when the client gave up on this request (its token was cancelled); fails the test if it does not.</summary>
    public Task WhenCanceledAsync() => _canceled.Task.WaitAsync(ObservedTimeProvider.Patience);

    public void Respond(HttpStatusCode status, string? body = null, Action<HttpResponseMessage>? configure = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(body ?? string.Empty, System.Text.Encoding.UTF8, "application/json"),
            RequestMessage = _request,
        };
        configure?.Invoke(response);
        Assert.True(_response.TrySetResult(response), $"{Method} {Path} was already answered or cancelled");
    }

    /// <summary>Fails the request as a dropped connection would.</summary>
    public void Drop() =>
        Assert.True(_response.TrySetException(new HttpRequestException(HttpRequestError.ConnectionError, "The connection was dropped (test).")),
            $"{Method} {Path} was already answered or cancelled");
}
