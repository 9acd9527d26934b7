using System.Globalization;
using System.Text;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>
/// Retries, Retry-After, the per-call deadline, attempt timeouts and cancellation. Every test runs on a gated host: the
/// network is in memory and answered by the test, the clock moves only when the test moves it (after the code under
/// test armed the timer it waits on), so no real delay races a real deadline. Default figures (NeonApiTestHost):
/// deadline 10 s, attempt timeout 5 s, backoff 10 ms doubling up to 50 ms, no jitter.
/// </summary>
public sealed class NeonApiHandlerRetryTests
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan SecondBackoff = TimeSpan.FromMilliseconds(20);

    private static Task<HttpResponseMessage> Send(NeonApiTestHost host, HttpMethod method, string path, string route, CancellationToken cancellationToken = default) =>
        host.SendAsync(method, path, route, cancellationToken);

    /// <summary>Sends to a host whose attempt timeout is 200 ms and lets the first attempt time out (its request canceled); returns the call.</summary>
    private static async Task<Task<HttpResponseMessage>> SendAndTimeOutTheFirstAttemptAsync(NeonApiTestHost host, HttpMethod method)
    {
        var call = Send(host, method, "projects", "projects");
        var first = await host.Gate.NextAsync();
        host.Time.Advance(TimeSpan.FromMilliseconds(200));
        await first.WhenCanceledAsync();
        return call;
    }

    [Fact]
    public async Task SendAsync_PostGets423ThenOk_RetriesTheSameBodyAndReturnsOk()
    {
        using var host = NeonApiTestHost.CreateGated();
        using var request = NeonApiTestHost.Request(HttpMethod.Post, "projects/p1/databases", "projects/{project_id}/branches/{branch_id}/databases");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"database":{"name":"app"}}"""));
        request.Content.Headers.ContentType = new("application/json");
        var call = host.Client.SendAsync(request);

        var first = await host.AnswerThenWaitOutBackoffAsync((HttpStatusCode)423, FirstBackoff);
        var second = await host.Gate.RespondNextAsync(HttpStatusCode.Created);
        using var response = await call;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, host.Gate.RequestCount);
        Assert.All([first, second], r => Assert.Equal("""{"database":{"name":"app"}}""", r.Body));
        Assert.All([first, second], r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
    }

    /// <summary>429 and 503 are retried for every method (423 too, above), other 5xx and dropped connections only for GET.</summary>
    [Theory]
    [InlineData("DELETE", "429")]
    [InlineData("DELETE", "503")]
    [InlineData("GET", "500", "502")]
    [InlineData("GET", "drop", "drop")]
    public async Task SendAsync_RetriableFailuresThenOk_RetriesWithGrowingBackoffAndOneRequestId(string method, params string[] failures)
    {
        using var host = NeonApiTestHost.CreateGated();
        var call = Send(host, new HttpMethod(method), "projects/p1", "projects/{project_id}");

        var requests = new List<GatedRequest>();
        for (var i = 0; i < failures.Length; i++)
        {
            var request = await host.Gate.NextAsync();
            if (failures[i] == "drop")
            {
                request.Drop();
            }
            else
            {
                request.Respond((HttpStatusCode)int.Parse(failures[i], CultureInfo.InvariantCulture));
            }

            requests.Add(request);
            await host.Time.AdvanceWhenArmedAsync(FirstBackoff * Math.Pow(2, i)); // 10 ms, 20 ms, ...
        }

        requests.Add(await host.Gate.RespondNextAsync(HttpStatusCode.OK));
        using var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(failures.Length + 1, host.Gate.RequestCount);
        for (var i = 1; i < requests.Count; i++)
        {
            Assert.Equal(FirstBackoff * Math.Pow(2, i - 1), requests[i].ArrivedAt - requests[i - 1].ArrivedAt);
        }

        var requestId = Assert.Single(requests.Select(r => r.Headers["X-Request-ID"]).Distinct()); // one id per call, kept across retries
        Assert.NotEmpty(requestId);
    }

    [Fact]
    public async Task SendAsync_PostGets500_ReturnsItWithoutRetry()
    {
        using var host = NeonApiTestHost.CreateGated();
        var call = Send(host, HttpMethod.Post, "projects", "projects");

        await host.Gate.RespondNextAsync(HttpStatusCode.InternalServerError);
        using var response = await call.WaitAsync(ObservedTimeProvider.Patience);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, host.Gate.RequestCount);
    }

    [Fact]
    public async Task SendAsync_PostConnectionDropped_ThrowsNeonApiExceptionWithoutRetry()
    {
        using var host = NeonApiTestHost.CreateGated();
        var call = Send(host, HttpMethod.Post, "projects", "projects");

        (await host.Gate.NextAsync()).Drop();
        var ex = await Assert.ThrowsAsync<NeonApiException>(() => call);

        Assert.Equal(1, host.Gate.RequestCount);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Null(ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Contains("POST projects", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not retried", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.RequestId);
        Assert.DoesNotContain(NeonApiTestHost.ApiKey, ex.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A real connection reset (not a simulated exception) on a socket server: the GET is retried, the POST is not.
    /// No backoff (0) and a clock that never moves: nothing here waits on time.
    /// </summary>
    [Theory]
    [InlineData("GET", 2)]
    [InlineData("POST", 1)]
    public async Task SendAsync_RealConnectionReset_RetriedOnlyForGet(string method, int expectedRequests)
    {
        using var server = RawHttpServer.Dropping(dropCount: 1);
        using var host = NeonApiTestHost.Create(
            o =>
            {
                o.BaseAddress = server.Url;
                o.Retry.BaseDelay = o.Retry.MaxDelay = TimeSpan.Zero;
            },
            new ObservedTimeProvider());

        var call = Send(host, new HttpMethod(method), "projects", "projects").WaitAsync(ObservedTimeProvider.Patience);

        if (expectedRequests == 2)
        {
            using var response = await call;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<NeonApiException>(() => call);
            Assert.IsType<HttpRequestException>(ex.InnerException);
        }

        Assert.Equal(expectedRequests, server.RequestCount);
    }

    [Fact]
    public async Task SendAsync_GetConnectionDroppedBeyondMaxRetryAttempts_ThrowsNeonApiException()
    {
        using var host = NeonApiTestHost.CreateGated(o => o.Retry.MaxRetryAttempts = 1);
        var call = Send(host, HttpMethod.Get, "projects/p1", "projects/{project_id}");

        await host.DropThenWaitOutBackoffAsync(FirstBackoff);
        (await host.Gate.NextAsync()).Drop();
        var ex = await Assert.ThrowsAsync<NeonApiException>(() => call);

        Assert.Equal(2, host.Gate.RequestCount);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("GET projects/{project_id}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("after 2 attempt(s)", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task SendAsync_503BeyondMaxRetryAttempts_ReturnsFinal503()
    {
        using var host = NeonApiTestHost.CreateGated(o => o.Retry.MaxRetryAttempts = 2);
        var call = Send(host, HttpMethod.Get, "projects/p1", "projects/{project_id}");

        await host.AnswerThenWaitOutBackoffAsync(HttpStatusCode.ServiceUnavailable, FirstBackoff);
        await host.AnswerThenWaitOutBackoffAsync(HttpStatusCode.ServiceUnavailable, SecondBackoff);
        await host.Gate.RespondNextAsync(HttpStatusCode.ServiceUnavailable);
        using var response = await call.WaitAsync(ObservedTimeProvider.Patience);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, host.Gate.RequestCount);
        Assert.Equal(3, response.RequestMessage!.Options.TryGetValue(NeonRequestOptions.Attempts, out var attempts) ? attempts : 0);
    }

    [Fact]
    public async Task SendAsync_423CausedByQuota_ReturnsItWithoutRetry()
    {
        using var host = NeonApiTestHost.CreateGated();
        var call = Send(host, HttpMethod.Post, "projects/p1/endpoints/e1/start", "projects/{project_id}/endpoints/{endpoint_id}/start");

        await host.Gate.RespondNextAsync((HttpStatusCode)423, """{"code":"QUOTA_EXCEEDED","message":"project quota exceeded"}""");
        using var response = await call.WaitAsync(ObservedTimeProvider.Patience);

        Assert.Equal((HttpStatusCode)423, response.StatusCode);
        Assert.Equal(1, host.Gate.RequestCount);
    }

    [Theory]
    [InlineData("GET", 429, "delay-seconds", 3)]
    [InlineData("POST", 503, "http-date", 2)]
    public async Task SendAsync_RetryAfter_WaitsExactlyThatLong(string method, int status, string form, int seconds)
    {
        using var host = NeonApiTestHost.CreateGated();
        var wait = TimeSpan.FromSeconds(seconds);
        var retryAfter = form == "http-date"
            ? host.Time.GetUtcNow().Add(wait).ToString("R", CultureInfo.InvariantCulture)
            : seconds.ToString(CultureInfo.InvariantCulture);
        var call = Send(host, new HttpMethod(method), "projects", "projects");

        var first = await host.Gate.RespondNextAsync((HttpStatusCode)status, configure: r => r.Headers.TryAddWithoutValidation("Retry-After", retryAfter));
        await host.Time.WhenArmedAsync(wait);
        host.Time.Advance(wait - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, host.Gate.RequestCount); // not before Neon said (the backoff alone would be 10 ms)
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await host.Gate.RespondNextAsync(HttpStatusCode.OK);
        using var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(wait, second.ArrivedAt - first.ArrivedAt);
    }

    [Fact]
    public async Task SendAsync_RetryAfterBeyondDeadline_ReturnsReal429AtOnce()
    {
        using var host = NeonApiTestHost.CreateGated(o => o.Timeout = TimeSpan.FromSeconds(5));
        var call = Send(host, HttpMethod.Get, "projects", "projects");

        await host.Gate.RespondNextAsync(
            HttpStatusCode.TooManyRequests,
            """{"code":"TOO_MANY_REQUESTS","message":"slow down","request_id":"neon-req-1"}""",
            r => r.Headers.Add("Retry-After", "30"));
        using var response = await call.WaitAsync(ObservedTimeProvider.Patience); // the clock never moved: no 30 s wait

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, host.Gate.RequestCount);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == NeonApiEventId.RetryAbandonedDeadline);
        var error = await NeonApiErrorFactory.CreateAsync(response, CancellationToken.None);
        var rateLimited = Assert.IsType<NeonRateLimitedException>(error);
        Assert.Equal(HttpStatusCode.TooManyRequests, rateLimited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), rateLimited.RetryAfter);
        Assert.Equal("neon-req-1", rateLimited.RequestId);
    }

    [Fact]
    public async Task SendAsync_DeadlineExpiresDuringRetries_ThrowsNeonApiTimeoutException()
    {
        // Attempt 1 answers 500; attempt 2 (the retry) never answers, so only the deadline can end the call.
        using var host = NeonApiTestHost.CreateGated(o => o.Timeout = o.AttemptTimeout = TimeSpan.FromSeconds(1));
        var call = Send(host, HttpMethod.Get, "projects", "projects");

        await host.AnswerThenWaitOutBackoffAsync(HttpStatusCode.InternalServerError, FirstBackoff);
        var held = await host.Gate.NextAsync();
        host.Time.Advance(TimeSpan.FromSeconds(1) - FirstBackoff);
        var ex = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => call);

        await held.WhenCanceledAsync();
        Assert.Equal(2, host.Gate.RequestCount);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), ex.Timeout);
        Assert.Contains("the deadline NeonApiOptions.Timeout", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
        Assert.NotNull(ex.RequestId);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == NeonApiEventId.DeadlineExpired);
    }

    [Fact]
    public async Task SendAsync_PostAttemptTimesOut_ThrowsNeonApiTimeoutExceptionWithoutRetry()
    {
        using var host = NeonApiTestHost.CreateGated(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));

        var call = await SendAndTimeOutTheFirstAttemptAsync(host, HttpMethod.Post);
        var ex = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => call);

        Assert.Equal(1, host.Gate.RequestCount);
        Assert.Equal(1, ex.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), ex.Timeout);
        Assert.Contains("NeonApiOptions.AttemptTimeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains("POST is not retried", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_GetAttemptTimesOutThenOk_SendsTwoRequestsAndReturnsTheSecondAnswer()
    {
        using var host = NeonApiTestHost.CreateGated(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));

        var call = await SendAndTimeOutTheFirstAttemptAsync(host, HttpMethod.Get);
        await host.Time.AdvanceWhenArmedAsync(FirstBackoff);
        await host.Gate.RespondNextAsync(HttpStatusCode.OK, """{"projects":[]}""");
        using var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, host.Gate.RequestCount);
        var logs = host.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == NeonApiEventId.AttemptFailed && r.Message.Contains("attempt timeout", StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Id.Id == NeonApiEventId.RetryScheduled && r.Message.Contains("an attempt timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_CallerCancelsWhileWaitingForAnAnswer_ThrowsOperationCanceledWithTheCallersToken()
    {
        using var host = NeonApiTestHost.CreateGated();
        using var cts = new CancellationTokenSource();
        var call = Send(host, HttpMethod.Get, "projects", "projects", cts.Token);

        var held = await host.Gate.NextAsync();
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await held.WhenCanceledAsync();
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.IsNotType<NeonApiTimeoutException>(ex.InnerException);
        Assert.Equal(1, host.Gate.RequestCount);
    }

    [Fact]
    public async Task SendAsync_CallerCancelsDuringRetryDelay_ThrowsOperationCanceledWithoutAnotherRequest()
    {
        using var host = NeonApiTestHost.CreateGated(o => o.Retry.BaseDelay = o.Retry.MaxDelay = TimeSpan.FromSeconds(8)); // inside the 10 s deadline
        using var cts = new CancellationTokenSource();
        var call = Send(host, HttpMethod.Get, "projects", "projects", cts.Token);

        await host.Gate.RespondNextAsync(HttpStatusCode.ServiceUnavailable);
        await host.Time.WhenArmedAsync(TimeSpan.FromSeconds(8)); // the retry delay has begun
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.Equal(1, host.Gate.RequestCount);
    }
}
