using System.Diagnostics;
using System.Net;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Tests;

public class FaultsTests
{
    [Fact]
    public async Task Inject_TooManyRequests_AnswersWithRetryAfterThenRecovers()
    {
        await using var host = FakeHost.Start();
        host.Server.Faults.Inject("GET projects", NeonFault.TooManyRequests(TimeSpan.FromSeconds(2.5)), times: 2);

        var (first, _, response) = await host.RawAsync(HttpMethod.Get, "projects");
        var (second, _, _) = await host.RawAsync(HttpMethod.Get, "projects");
        var (third, _, _) = await host.RawAsync(HttpMethod.Get, "projects");

        Assert.Equal(HttpStatusCode.TooManyRequests, first);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, second);
        Assert.Equal(HttpStatusCode.OK, third);
        Assert.Equal(0, host.Server.Faults.Pending);
    }

    [Theory]
    [InlineData(423)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Inject_ErrorStatus_OnlyHitsTheMatchingRoute(int status)
    {
        await using var host = FakeHost.Start();
        var created = await host.CreateProjectAsync();
        var fault = status switch { 423 => NeonFault.Locked(), 500 => NeonFault.InternalServerError(), _ => NeonFault.ServiceUnavailable() };
        host.Server.Faults.Inject("GET projects/{project_id}", fault);

        var (regions, _, _) = await host.RawAsync(HttpMethod.Get, "regions");
        var (hit, body, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}", requestId: "abc");
        var again = await host.Client.Projects.GetProjectAsync(created.Project.Id);

        Assert.Equal(HttpStatusCode.OK, regions);
        Assert.Equal((HttpStatusCode)status, hit);
        Assert.Equal("abc", body.GetProperty("request_id").GetString());
        Assert.Equal(created.Project.Id, again.Project.Id);
    }

    [Fact]
    public async Task Inject_WildcardPattern_MatchesConcretePaths()
    {
        await using var host = FakeHost.Start();
        var created = await host.CreateProjectAsync();
        host.Server.Faults.Inject($"GET projects/{created.Project.Id}*", NeonFault.ServiceUnavailable(), int.MaxValue);

        var (one, _, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}");
        var (two, _, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}/endpoints");
        host.Server.Faults.Clear();
        var (three, _, _) = await host.RawAsync(HttpMethod.Get, $"projects/{created.Project.Id}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, one);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, two);
        Assert.Equal(HttpStatusCode.OK, three);
    }

    [Fact]
    public async Task Inject_Latency_DelaysTheAnswer()
    {
        await using var host = FakeHost.Start();
        host.Server.Faults.Inject(null, NeonFault.Latency(TimeSpan.FromMilliseconds(400)));

        var watch = Stopwatch.StartNew();
        var (status, _, _) = await host.RawAsync(HttpMethod.Get, "regions");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(350), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Inject_DropConnection_FailsTheCallWithoutAnAnswer()
    {
        await using var host = FakeHost.Start();
        host.Server.Faults.Inject("POST projects", NeonFault.DropConnection());

        await Assert.ThrowsAsync<HttpRequestException>(() => host.Http.PostAsync(new Uri("projects", UriKind.Relative), new StringContent("""{"project":{}}""")));

        Assert.Empty(await host.Server.GetProjectsAsync());
        Assert.Equal(0, host.Server.RequestLog[^1].StatusCode);
    }

    [Fact]
    public async Task Inject_FailOperation_OperationsEndFailed()
    {
        await using var host = FakeHost.Start();
        host.Server.Faults.Inject("POST projects", NeonFault.FailOperation());

        var created = await host.CreateProjectAsync();
        var ex = await Assert.ThrowsAsync<NeonOperationFailedException>(() => host.Client.WaitForOperationsAsync(created.Operations, TimeSpan.FromSeconds(10)));

        Assert.Equal(OperationStatus.Failed, ex.Status);
        Assert.Equal("injected operation failure", ex.Error);
    }

    [Fact]
    public async Task RateBudget_PerRoute_Answers429UntilTheWindowMoves()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time, o =>
        {
            o.EnforceRateLimits = true;
            o.RequestsPerSecondPerRoute = 3;
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await host.RawAsync(HttpMethod.Get, "regions")).Status);
        }

        var (otherRoute, _, _) = await host.RawAsync(HttpMethod.Get, "projects");
        var (_, _, limited) = await host.RawAsync(HttpMethod.Get, "regions");
        time.Advance(TimeSpan.FromSeconds(1));
        var (afterWindow, _, _) = await host.RawAsync(HttpMethod.Get, "regions");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, otherRoute);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.OK, afterWindow);
    }

    [Fact]
    public async Task RateBudget_PerAccount_CountsEveryRoute()
    {
        await using var host = FakeHost.StartWithFakeTime(out var time, o =>
        {
            o.EnforceRateLimits = true;
            o.RequestsPerMinute = 5;
        });

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.RawAsync(HttpMethod.Get, i % 2 == 0 ? "regions" : "projects")).Status);
        }

        var (over, _, response) = await host.RawAsync(HttpMethod.Get, "projects");
        time.Advance(TimeSpan.FromMinutes(1));
        var (later, _, _) = await host.RawAsync(HttpMethod.Get, "projects");

        Assert.Equal(HttpStatusCode.TooManyRequests, over);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.OK, later);
    }
}
