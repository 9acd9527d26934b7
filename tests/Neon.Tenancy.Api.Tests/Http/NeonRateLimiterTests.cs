using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>
/// The budgets are token buckets on the injected clock: these tests freeze a <see cref="FakeTimeProvider"/> and advance
/// it. "Nothing more is sent" is asserted once the limiter has settled (every caller granted or waiting in a line, see
/// <see cref="NeonRateLimiter.Waiting"/>): from then on nothing can move until the clock does, however slow the machine.
/// </summary>
public sealed class NeonRateLimiterTests
{
    private static NeonApiTestHost CreateHost(Action<NeonRateLimitOptions> limits, FakeTimeProvider time)
    {
        var host = NeonApiTestHost.Create(
            o =>
            {
                // On the fake clock: the advances below must not end the calls, nor an attempt still in flight on a loaded
                // machine (the 30 s default attempt timeout ended one when a test advanced 30 s, and its retry then
                // waited for a permit that never came: the test hung).
                o.Timeout = TimeSpan.FromMinutes(10);
                o.AttemptTimeout = TimeSpan.FromMinutes(10);
                limits(o.RateLimit);
            },
            time);
        host.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));
        return host;
    }

    private static int CountPath(NeonApiTestHost host, string prefix) =>
        host.Server.LogEntries.Count(e => e.RequestMessage!.Path.StartsWith(prefix, StringComparison.Ordinal));

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 30 s");
            await Task.Delay(10);
        }
    }

    /// <summary>Waits until each of <paramref name="callers"/> is granted (done) or waits in a line of <paramref name="limiter"/>.</summary>
    private static Task SettledAsync(NeonRateLimiter limiter, IReadOnlyCollection<Task> callers) =>
        EventuallyAsync(() => callers.Count(c => c.IsCompleted) + limiter.Waiting == callers.Count);

    /// <summary>Waits until <paramref name="sent"/> requests reached the server and the others of <paramref name="total"/> wait in a line.</summary>
    private static Task SettledAsync(NeonApiTestHost host, Func<int> sent, int total) =>
        EventuallyAsync(() => sent() + host.Services.GetRequiredService<NeonRateLimiter>().Waiting == total);

    /// <summary>Waits for every call (bounded), disposes the responses and returns their statuses.</summary>
    private static async Task<HttpStatusCode[]> CompleteAllAsync(IEnumerable<Task<HttpResponseMessage>> calls)
    {
        var responses = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30)); // real time: generous for a loaded machine
        foreach (var response in responses)
        {
            response.Dispose();
        }

        return [.. responses.Select(r => r.StatusCode)];
    }

    private static int Granted(IEnumerable<Task<bool>> calls) => calls.Count(c => c.IsCompletedSuccessfully && c.Result);

    /// <summary>Advances the clock in steps: a bucket holds at most its burst, so one long jump refills no more than that.</summary>
    private static void AdvanceInSteps(FakeTimeProvider time, int steps, TimeSpan step)
    {
        for (var i = 0; i < steps; i++)
        {
            time.Advance(step);
        }
    }

    /// <summary>A limiter on a fake clock (<paramref name="time"/>), which the test advances.</summary>
    private static NeonRateLimiter Limiter(out FakeTimeProvider time, int perMinute, int burst, int perRoute = 1000)
    {
        time = new FakeTimeProvider();
        return new(new NeonRateLimitOptions { RequestsPerMinute = perMinute, BurstSize = burst, RequestsPerSecondPerRoute = perRoute }, time);
    }

    /// <summary>Advances the clock by <paramref name="by"/>; <paramref name="caller"/> is granted (bounded wait).</summary>
    private static Task GrantedAfterAsync(FakeTimeProvider time, TimeSpan by, Task caller)
    {
        time.Advance(by);
        return caller.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AcquireAsync_BurstBeyondCapacity_GrantsBurstSizeThenPacesAtTheConfiguredRate()
    {
        using var limiter = Limiter(out var time, perMinute: 60, burst: 5);
        var calls = Enumerable.Range(0, 20).Select(_ => limiter.AcquireAsync("projects", CancellationToken.None).AsTask()).ToList();

        await SettledAsync(limiter, calls);
        Assert.Equal(5, Granted(calls)); // a sliding window of 60/min would let all 20 go at once

        time.Advance(TimeSpan.FromSeconds(1));
        await SettledAsync(limiter, calls);
        Assert.Equal(6, Granted(calls));
        time.Advance(TimeSpan.FromSeconds(3));
        await SettledAsync(limiter, calls);
        Assert.Equal(9, Granted(calls));

        AdvanceInSteps(time, 11, TimeSpan.FromSeconds(1));
        Assert.All(await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10)), Assert.True);
    }

    [Fact]
    public async Task AcquireAsync_IdleBudget_RefillsOnlyUpToBurstSize()
    {
        using var limiter = Limiter(out var time, perMinute: 600, burst: 3);
        time.Advance(TimeSpan.FromMinutes(5)); // a long idle time does not bank a minute's budget

        var calls = Enumerable.Range(0, 6).Select(_ => limiter.AcquireAsync("projects", CancellationToken.None).AsTask()).ToList();
        await SettledAsync(limiter, calls);

        Assert.Equal(3, Granted(calls));
        time.Advance(TimeSpan.FromMilliseconds(300)); // 10/s: three more
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AcquireAsync_OlderCallArrivesLater_IsServedBeforeNewerWaiters()
    {
        using var limiter = Limiter(out var time, perMinute: 60, burst: 1);
        Assert.True(await limiter.AcquireAsync("projects", 0, CancellationToken.None));

        var newer = limiter.AcquireAsync("projects", priority: 200, CancellationToken.None).AsTask();
        var retryOfOlderCall = limiter.AcquireAsync("projects", priority: 100, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        await retryOfOlderCall.WaitAsync(TimeSpan.FromSeconds(10));
        await SettledAsync(limiter, [newer, retryOfOlderCall]);
        Assert.False(newer.IsCompleted); // a retry keeps its place in line instead of queueing behind the burst
        await GrantedAfterAsync(time, TimeSpan.FromSeconds(1), newer);
    }

    [Fact]
    public async Task OnRateLimited_PausesEveryCallerUntilTheWaitThenOnePermit()
    {
        using var limiter = Limiter(out var time, perMinute: 60, burst: 5);
        limiter.OnRateLimited("projects/{project_id}", TimeSpan.FromSeconds(2));

        var first = limiter.AcquireAsync("regions", CancellationToken.None).AsTask();
        var second = limiter.AcquireAsync("regions", CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(1900));
        await SettledAsync(limiter, [first, second]);
        Assert.False(first.IsCompleted); // the bucket had 5 permits, but Neon said its own is empty

        await GrantedAfterAsync(time, TimeSpan.FromMilliseconds(100), first);
        await SettledAsync(limiter, [first, second]);
        Assert.False(second.IsCompleted); // after the pause the bucket refills at the rate, no burst
        await GrantedAfterAsync(time, TimeSpan.FromSeconds(1), second);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWaiter_LeavesTheLineWithoutTakingAPermit()
    {
        using var limiter = Limiter(out var time, perMinute: 60, burst: 1);
        Assert.True(await limiter.AcquireAsync("projects", CancellationToken.None));
        using var cts = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync("projects", CancellationToken.None);
        var cancelledForReal = limiter.AcquireAsync("projects", cts.Token).AsTask();
        var after = limiter.AcquireAsync("projects", CancellationToken.None).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledForReal);

        // One advance per permit, each awaited: a granted waiter moves on to the next budget asynchronously.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await cancelled.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await after.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task SendAsync_BurstOverRouteBudget_SendsTheRouteBurstThenTheRestAtItsRate()
    {
        var time = new FakeTimeProvider();
        using var host = CreateHost(l => l.RequestsPerSecondPerRoute = 5, time);

        var calls = Enumerable.Range(0, 8)
            .Select(i => host.SendAsync(HttpMethod.Get, $"projects/p{i}", "projects/{project_id}"))
            .ToList();
        using var other = await host.SendAsync(HttpMethod.Get, "regions", "regions");
        await SettledAsync(host, () => CountPath(host, "/projects/"), 8);

        Assert.Equal(5, CountPath(host, "/projects/"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode); // another route has its own budget
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.All(await CompleteAllAsync(calls), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(8, CountPath(host, "/projects/"));
    }

    [Fact]
    public async Task SendAsync_BurstOverAccountBudget_SendsBurstSizeThenPaces()
    {
        var time = new FakeTimeProvider();
        using var host = CreateHost(l => (l.RequestsPerMinute, l.BurstSize) = (60, 4), time);

        var calls = Enumerable.Range(0, 7)
            .Select(i => host.SendAsync(HttpMethod.Get, $"route{i}", $"route{i}"))
            .ToList();
        await SettledAsync(host, () => host.RequestCount, 7);

        Assert.Equal(4, host.RequestCount);
        time.Advance(TimeSpan.FromSeconds(1));
        await SettledAsync(host, () => host.RequestCount, 7);
        Assert.Equal(5, host.RequestCount);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.All(await CompleteAllAsync(calls), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(7, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_BurstOfConsumptionCalls_UsesSeparateSmallerBudget()
    {
        var time = new FakeTimeProvider();
        using var host = CreateHost(l => l.ConsumptionRequestsPerMinute = 2, time);

        var consumption = Enumerable.Range(0, 4)
            .Select(_ => host.SendAsync(HttpMethod.Get, "consumption_history/v2/projects?org_id=o", "consumption_history/v2/projects"))
            .ToList();
        var others = Enumerable.Range(0, 4)
            .Select(i => host.SendAsync(HttpMethod.Get, $"projects/p{i}", "projects/{project_id}"))
            .ToList();
        await SettledAsync(host, () => CountPath(host, "/projects/") + CountPath(host, "/consumption_history/"), 8);
        Assert.Equal(4, CountPath(host, "/projects/"));

        Assert.Equal(2, CountPath(host, "/consumption_history/"));
        AdvanceInSteps(time, 2, TimeSpan.FromSeconds(30));
        Assert.All(await CompleteAllAsync(consumption.Concat(others)), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(4, CountPath(host, "/consumption_history/"));
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfter_HoldsEveryOtherCallerUntilItPasses()
    {
        var time = new FakeTimeProvider();
        using var host = NeonApiTestHost.Create(o => o.Retry.MaxRetryAttempts = 1, time);
        host.RespondInSequence("/projects/p1",
            Response.Create().WithStatusCode(429).WithHeader("Retry-After", "2"),
            Response.Create().WithStatusCode(200));
        host.Server.Given(Request.Create().WithPath("/regions")).RespondWith(Response.Create().WithStatusCode(200));

        var limited = host.SendAsync(HttpMethod.Get, "projects/p1", "projects/{project_id}");
        await EventuallyAsync(() => host.Logs.GetSnapshot().Any(r => r.Id.Id == NeonApiEventId.RetryScheduled)); // the retry is scheduled
        var other = host.SendAsync(HttpMethod.Get, "regions", "regions");
        await EventuallyAsync(() => host.Services.GetRequiredService<NeonRateLimiter>().Waiting == 1); // other waits in the paused line

        Assert.Equal(0, CountPath(host, "/regions")); // without the pause it would go out (and draw a 429 from Neon)
        time.Advance(TimeSpan.FromSeconds(2)); // one permit when the pause ends, the next 1/40 s later (route "regions")
        await EventuallyAsync(() => host.RequestCount == 2);
        time.Advance(TimeSpan.FromSeconds(1));
        using var limitedResponse = await limited.WaitAsync(TimeSpan.FromSeconds(10));
        using var otherResponse = await other.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, limitedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherResponse.StatusCode);
    }

    [Fact]
    public async Task SendAsync_QueueFull_ThrowsNeonRateLimitedExceptionWithoutSending()
    {
        using var host = CreateHost(l =>
        {
            l.RequestsPerSecondPerRoute = 1;
            l.QueueLimit = 0;
        }, new FakeTimeProvider());

        using var first = await host.SendAsync(HttpMethod.Get, "projects", "projects");
        var ex = await Assert.ThrowsAsync<NeonRateLimitedException>(() => host.SendAsync(HttpMethod.Get, "projects", "projects"));

        Assert.Null(ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(1, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_PermitWaitBeyondDeadline_ThrowsNeonApiTimeoutException()
    {
        var time = new FakeTimeProvider();
        using var host = NeonApiTestHost.Create(o =>
        {
            o.Timeout = o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.RateLimit.RequestsPerSecondPerRoute = 1;
        }, time);
        host.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));

        using var first = await host.SendAsync(HttpMethod.Get, "projects", "projects");
        var second = host.SendAsync(HttpMethod.Get, "projects", "projects");
        await EventuallyAsync(() => host.Services.GetRequiredService<NeonRateLimiter>().Waiting == 1); // waiting for a permit
        time.Advance(TimeSpan.FromMilliseconds(300)); // the deadline passes; the next permit is 1 s away
        var ex = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(0, ex.Attempts);
        Assert.Equal(1, host.RequestCount);
    }

    [Fact]
    public async Task Dispose_ServiceProvider_DisposesLimiters()
    {
        var host = NeonApiTestHost.Create();
        var limiter = host.Services.GetRequiredService<NeonRateLimiter>();
        host.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await limiter.AcquireAsync("projects", CancellationToken.None));
    }

    [Fact]
    public async Task AcquireAsync_ManyConcurrentCallers_GrantsExactlyTheBurstThenTheRateOnAdvance()
    {
        using var limiter = Limiter(out var time, perMinute: 600, burst: 50);
        var callers = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => limiter.AcquireAsync($"route{i % 7}", CancellationToken.None).AsTask()))
            .ToList();
        await SettledAsync(limiter, callers);

        Assert.Equal(50, Granted(callers));
        Assert.Equal(150, callers.Count(t => !t.IsCompleted));

        time.Advance(TimeSpan.FromSeconds(5)); // 10/s: 50 more
        await SettledAsync(limiter, callers);
        Assert.Equal(100, Granted(callers));
        AdvanceInSteps(time, 10, TimeSpan.FromSeconds(1));

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, Granted(callers));
    }
}
