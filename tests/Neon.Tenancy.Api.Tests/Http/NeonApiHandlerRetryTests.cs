using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Neon.Tenancy.Api.Tests.Http;

public sealed class NeonApiHandlerRetryTests
{
    private static IResponseBuilder Status(int status) => Response.Create().WithStatusCode(status);

    [Fact]
    public async Task SendAsync_PostGets423ThenOk_RetriesAndReturnsOk()
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects/p1/databases", Status(423), Status(201));

        using var request = NeonApiTestHost.Request(HttpMethod.Post, "projects/p1/databases", "projects/{project_id}/branches/{branch_id}/databases");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"database":{"name":"app"}}"""));
        request.Content.Headers.ContentType = new("application/json");
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var entries = host.Server.LogEntries.ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("""{"database":{"name":"app"}}""", e.RequestMessage!.Body));
        Assert.All(entries, e => Assert.StartsWith("application/json", e.RequestMessage!.Headers!["Content-Type"][0], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task SendAsync_DeleteGetsAlwaysRetriableStatus_Retries(int status)
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects/p1", Status(status), Status(200));

        using var response = await host.SendAsync(HttpMethod.Delete, "projects/p1", "projects/{project_id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_PostGets500_DoesNotRetry()
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects", Status(500), Status(201));

        using var response = await host.SendAsync(HttpMethod.Post, "projects", "projects");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_PostConnectionDropped_ThrowsNeonApiExceptionWithoutRetry()
    {
        using var server = RawHttpServer.Dropping(dropCount: 1);
        using var host = NeonApiTestHost.Create(o => o.BaseAddress = server.Url);

        var ex = await Assert.ThrowsAsync<NeonApiException>(() => host.SendAsync(HttpMethod.Post, "projects", "projects"));

        Assert.Equal(1, server.RequestCount);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Null(ex.StatusCode);
        Assert.Contains("POST projects", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.RequestId);
        Assert.DoesNotContain(NeonApiTestHost.ApiKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_GetGets500ThenOk_Retries()
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects/p1", Status(500), Status(502), Status(200));

        using var response = await host.SendAsync(HttpMethod.Get, "projects/p1", "projects/{project_id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_GetConnectionDroppedThenOk_Retries()
    {
        using var server = RawHttpServer.Dropping(dropCount: 2);
        using var host = NeonApiTestHost.Create(o => o.BaseAddress = server.Url);

        using var response = await host.SendAsync(HttpMethod.Get, "projects/p1", "projects/{project_id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task SendAsync_GetConnectionDroppedBeyondMaxRetryAttempts_ThrowsNeonApiException()
    {
        using var server = RawHttpServer.Dropping(dropCount: 10);
        using var host = NeonApiTestHost.Create(o =>
        {
            o.BaseAddress = server.Url;
            o.Retry.MaxRetryAttempts = 1;
        });

        var ex = await Assert.ThrowsAsync<NeonApiException>(() => host.SendAsync(HttpMethod.Get, "projects/p1", "projects/{project_id}"));

        Assert.Equal(2, server.RequestCount);
        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("GET projects/{project_id}", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task SendAsync_503BeyondMaxRetryAttempts_ReturnsFinal503()
    {
        using var host = NeonApiTestHost.Create(o => o.Retry.MaxRetryAttempts = 2);
        host.RespondInSequence("/projects/p1", Status(503));

        using var response = await host.SendAsync(HttpMethod.Get, "projects/p1", "projects/{project_id}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_423CausedByQuota_DoesNotRetry()
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects/p1/endpoints/e1/start",
            Status(423).WithBody("""{"code":"QUOTA_EXCEEDED","message":"project quota exceeded"}"""), Status(200));

        using var response = await host.SendAsync(HttpMethod.Post, "projects/p1/endpoints/e1/start", "projects/{project_id}/endpoints/{endpoint_id}/start");

        Assert.Equal((HttpStatusCode)423, response.StatusCode);
        Assert.Equal(1, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_RetryAfterSeconds_WaitsAtLeastThatLong()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        using var host = NeonApiTestHost.Create(o => o.RateLimit.Enabled = false, time);
        host.RespondInSequence("/projects", Status(429).WithHeader("Retry-After", "3"), Status(200));

        var (response, fakeElapsed) = await RunWithFakeTimeAsync(time, host, () => host.SendAsync(HttpMethod.Get, "projects", "projects"));

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, host.RequestCount);
        Assert.InRange(fakeElapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4.5));
    }

    [Fact]
    public async Task SendAsync_RetryAfterHttpDate_WaitsUntilThatTime()
    {
        var start = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        using var host = NeonApiTestHost.Create(o => o.RateLimit.Enabled = false, time);
        var retryAt = start.AddSeconds(2).ToString("R", CultureInfo.InvariantCulture);
        host.RespondInSequence("/projects", Status(503).WithHeader("Retry-After", retryAt), Status(200));

        var (response, fakeElapsed) = await RunWithFakeTimeAsync(time, host, () => host.SendAsync(HttpMethod.Post, "projects", "projects"));

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, host.RequestCount);
        Assert.InRange(fakeElapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3.5));
    }

    [Fact]
    public async Task SendAsync_RetryAfterBeyondDeadline_ReturnsReal429AtOnce()
    {
        using var host = NeonApiTestHost.Create(o => o.Timeout = TimeSpan.FromSeconds(5));
        host.RespondInSequence("/projects",
            Status(429).WithHeader("Retry-After", "30").WithBody("""{"code":"TOO_MANY_REQUESTS","message":"slow down","request_id":"neon-req-1"}"""),
            Status(200));

        var stopwatch = Stopwatch.StartNew();
        using var response = await host.SendAsync(HttpMethod.Get, "projects", "projects");
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, host.RequestCount);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}"); // not the 30 s asked for
        var error = await NeonApiErrorFactory.CreateAsync(response, CancellationToken.None);
        var rateLimited = Assert.IsType<NeonRateLimitedException>(error);
        Assert.Equal(HttpStatusCode.TooManyRequests, rateLimited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), rateLimited.RetryAfter);
        Assert.Equal("neon-req-1", rateLimited.RequestId);
    }

    [Fact]
    public async Task SendAsync_DeadlineExpiresDuringRetries_ThrowsNeonApiTimeoutException()
    {
        // Attempt 1 answers 500 at once; attempt 2 (the retry) never answers, so only the deadline can end the call.
        // No real delay races the deadline: the server is a handler this test controls.
        var server = new GatedHandler();
        using var host = NeonApiTestHost.Create(
            o => o.Timeout = o.AttemptTimeout = TimeSpan.FromSeconds(1),
            primaryHandler: server);

        var ex = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => host.SendAsync(HttpMethod.Get, "projects", "projects"));

        Assert.Equal(2, server.Requests);
        Assert.Equal(2, ex.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(1), ex.Timeout);
        Assert.True(ex.IsTransient);
        Assert.NotNull(ex.RequestId);
    }

    /// <summary>Answers the first request 500 and holds every later one until it is cancelled.</summary>
    private sealed class GatedHandler : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _requests) == 1)
            {
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("{}") };
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new UnreachableException();
        }
    }

    [Fact]
    public async Task SendAsync_PostAttemptTimesOut_ThrowsNeonApiTimeoutExceptionWithoutRetry()
    {
        using var host = NeonApiTestHost.Create(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));
        host.RespondInSequence("/projects", Status(201).WithDelay(TimeSpan.FromSeconds(1)));

        var ex = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => host.SendAsync(HttpMethod.Post, "projects", "projects"));

        Assert.Equal(1, ex.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), ex.Timeout);
    }

    [Fact]
    public async Task SendAsync_GetAttemptTimesOutThenOk_Retries()
    {
        using var host = NeonApiTestHost.Create(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));
        host.RespondInSequence("/projects", Status(200).WithDelay(TimeSpan.FromSeconds(1)), Status(200));

        using var response = await host.SendAsync(HttpMethod.Get, "projects", "projects");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceledPromptly()
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects", Status(200).WithDelay(TimeSpan.FromSeconds(10)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.SendAsync(HttpMethod.Get, "projects", "projects", cts.Token));
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}"); // not the 10 s response
        Assert.True(ex.CancellationToken.IsCancellationRequested || cts.IsCancellationRequested);
    }

    [Fact]
    public async Task SendAsync_CallerCancelsDuringRetryDelay_ThrowsOperationCanceledPromptly()
    {
        using var host = NeonApiTestHost.Create(o => o.Retry.BaseDelay = o.Retry.MaxDelay = TimeSpan.FromSeconds(8)); // inside the 10 s deadline
        host.RespondInSequence("/projects", Status(503));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.SendAsync(HttpMethod.Get, "projects", "projects", cts.Token));
        stopwatch.Stop();

        Assert.Equal(1, host.RequestCount);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}"); // not the 8 s retry delay
    }

    /// <summary>
    /// Runs a call while moving fake time forward in 100 ms steps (with short real pauses so the real HTTP traffic
    /// progresses); returns the response and how much fake time had passed when the last request reached the server.
    /// </summary>
    private static async Task<(HttpResponseMessage Response, TimeSpan FakeElapsedAtLastRequest)> RunWithFakeTimeAsync(
        FakeTimeProvider time, NeonApiTestHost host, Func<Task<HttpResponseMessage>> call)
    {
        var start = time.GetUtcNow();
        var task = call();
        var seen = 0;
        var elapsedAtLastRequest = TimeSpan.Zero;
        var realDeadline = Stopwatch.StartNew();
        while (!task.IsCompleted && realDeadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(15);
            var count = host.RequestCount;
            if (count != seen)
            {
                seen = count;
                elapsedAtLastRequest = time.GetUtcNow() - start;
                continue; // let the new attempt settle before moving time again
            }

            if (count > 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }

        var response = await task;
        if (host.RequestCount != seen)
        {
            elapsedAtLastRequest = time.GetUtcNow() - start;
        }

        return (response, elapsedAtLastRequest);
    }
}
