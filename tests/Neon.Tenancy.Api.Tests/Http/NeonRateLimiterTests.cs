using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>Timing-sensitive: runs alone (real sliding windows; the built-in limiters cannot take a TimeProvider).</summary>
[CollectionDefinition(nameof(RateLimitTiming), DisableParallelization = true)]
public sealed class RateLimitTiming
{
}

[Collection(nameof(RateLimitTiming))]
public sealed class NeonRateLimiterTests
{
    private static readonly TimeSpan Observe = TimeSpan.FromMilliseconds(500);

    private static NeonApiTestHost CreateHost(Action<NeonRateLimitOptions> limits, TimeSpan? minuteWindow = null)
    {
        var host = NeonApiTestHost.Create(
            o => limits(o.RateLimit),
            services: services => services.AddSingleton(sp =>
            {
                var options = new NeonRateLimitOptions();
                limits(options);
                return new NeonRateLimiter(options, minuteWindow ?? TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
            }));
        host.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));
        return host;
    }

    private static int CountPath(NeonApiTestHost host, string prefix) =>
        host.Server.LogEntries.Count(e => e.RequestMessage!.Path.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task SendAsync_BurstOverRouteBudget_SendsNoMoreThanBudgetWithinWindowThenTheRest()
    {
        using var host = CreateHost(l => l.RequestsPerSecondPerRoute = 5);

        var calls = Enumerable.Range(0, 8)
            .Select(i => host.SendAsync(HttpMethod.Get, $"projects/p{i}", "projects/{project_id}"))
            .ToList();
        using var other = await host.SendAsync(HttpMethod.Get, "regions", "regions");
        await Task.Delay(Observe);

        Assert.Equal(5, CountPath(host, "/projects/"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode); // another route has its own budget
        var responses = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(8, CountPath(host, "/projects/"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SendAsync_BurstOverAccountBudget_SendsNoMoreThanBudgetWithinWindow()
    {
        using var host = CreateHost(l => l.RequestsPerMinute = 4, minuteWindow: TimeSpan.FromSeconds(1));

        var calls = Enumerable.Range(0, 7)
            .Select(i => host.SendAsync(HttpMethod.Get, $"route{i}", $"route{i}"))
            .ToList();
        await Task.Delay(Observe);

        Assert.Equal(4, host.RequestCount);
        var responses = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(7, host.RequestCount);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SendAsync_BurstOfConsumptionCalls_UsesSeparateSmallerBudget()
    {
        using var host = CreateHost(l => l.ConsumptionRequestsPerMinute = 2, minuteWindow: TimeSpan.FromSeconds(1));

        var consumption = Enumerable.Range(0, 4)
            .Select(_ => host.SendAsync(HttpMethod.Get, "consumption_history/v2/projects?org_id=o", "consumption_history/v2/projects"))
            .ToList();
        var others = Enumerable.Range(0, 4)
            .Select(i => host.SendAsync(HttpMethod.Get, $"projects/p{i}", "projects/{project_id}"))
            .ToList();
        await Task.Delay(Observe);

        Assert.Equal(2, CountPath(host, "/consumption_history/"));
        Assert.Equal(4, CountPath(host, "/projects/"));
        var responses = await Task.WhenAll(consumption.Concat(others)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(4, CountPath(host, "/consumption_history/"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SendAsync_QueueFull_ThrowsNeonRateLimitedExceptionWithoutSending()
    {
        using var host = CreateHost(l =>
        {
            l.RequestsPerSecondPerRoute = 1;
            l.QueueLimit = 0;
        });

        using var first = await host.SendAsync(HttpMethod.Get, "projects", "projects");
        var ex = await Assert.ThrowsAsync<NeonRateLimitedException>(() => host.SendAsync(HttpMethod.Get, "projects", "projects"));

        Assert.Null(ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(1, host.RequestCount);
    }

    [Fact]
    public async Task SendAsync_PermitWaitBeyondDeadline_ThrowsNeonApiTimeoutException()
    {
        using var host = NeonApiTestHost.Create(o =>
        {
            o.Timeout = o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.RateLimit.RequestsPerSecondPerRoute = 1;
        });
        host.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));

        using var first = await host.SendAsync(HttpMethod.Get, "projects", "projects");
        var ex = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => host.SendAsync(HttpMethod.Get, "projects", "projects"));

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
    public async Task AcquireAsync_ManyConcurrentCallers_GrantsExactlyTheBudgetPerWindow()
    {
        using var limiter = new NeonRateLimiter(
            new NeonRateLimitOptions { RequestsPerMinute = 50, RequestsPerSecondPerRoute = 1000 },
            minuteWindow: TimeSpan.FromSeconds(1),
            secondWindow: TimeSpan.FromSeconds(1));
        var granted = 0;

        var callers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            if (await limiter.AcquireAsync($"route{i % 7}", CancellationToken.None))
            {
                Interlocked.Increment(ref granted);
            }
        })).ToList();
        await Task.Delay(Observe);

        Assert.Equal(50, Volatile.Read(ref granted));
        Assert.Equal(150, callers.Count(t => !t.IsCompleted));
    }
}
