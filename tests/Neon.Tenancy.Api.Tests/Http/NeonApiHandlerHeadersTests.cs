using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy.Api.Tests.Http;

public sealed class NeonApiHandlerHeadersTests
{
    private static string Header(WireMock.Logging.ILogEntry entry, string name) =>
        entry.RequestMessage!.Headers!.First(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value[0];

    [Fact]
    public async Task SendAsync_AnyRequest_SendsBearerKeyAcceptRequestIdAndUserAgent()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(200));
        using var request = NeonApiTestHost.Request(HttpMethod.Get, "projects", "projects");

        using var response = await host.Client.SendAsync(request);

        var entry = Assert.Single(host.Server.LogEntries);
        Assert.Equal($"Bearer {NeonApiTestHost.ApiKey}", Header(entry, "Authorization"));
        Assert.Equal("application/json", Header(entry, "Accept"));
        Assert.True(Guid.TryParse(Header(entry, "X-Request-ID"), out _));
        Assert.Matches(@"^Neon\.Tenancy/\d+\.\d+\.\d+[^+ ]*$", Header(entry, "User-Agent"));
        Assert.False(request.Headers.Contains("Authorization")); // the caller's request never carries the key
        Assert.Same(request, response.RequestMessage);
    }

    [Fact]
    public async Task SendAsync_RetriedCall_KeepsOneRequestIdAcrossAttemptsAndNewOnePerCall()
    {
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects/a", Response.Create().WithStatusCode(503), Response.Create().WithStatusCode(200));
        host.Server.Given(Request.Create().WithPath("/projects/b")).RespondWith(Response.Create().WithStatusCode(200));

        using var first = await host.SendAsync(HttpMethod.Get, "projects/a", "projects/{project_id}");
        using var second = await host.SendAsync(HttpMethod.Get, "projects/b", "projects/{project_id}");

        var ids = host.Server.LogEntries.Select(e => Header(e, "X-Request-ID")).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[1], ids[2]);
    }

    [Fact]
    public async Task SendAsync_KeyRotatedInConfiguration_UsesNewKeyOnNextRequest()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Neon:ApiKey"] = "old-key" })
            .Build();
        using var host = NeonApiTestHost.Create(
            o => o.ApiKey = configuration["Neon:ApiKey"]!, // read from configuration whenever the options are rebuilt
            services: s => s.AddSingleton<Microsoft.Extensions.Options.IOptionsChangeTokenSource<NeonApiOptions>>(
                new Microsoft.Extensions.Options.ConfigurationChangeTokenSource<NeonApiOptions>(configuration)));
        host.Server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(200));

        using (await host.SendAsync(HttpMethod.Get, "projects", "projects"))
        {
        }

        configuration["Neon:ApiKey"] = "new-key";
        configuration.Reload();
        using (await host.SendAsync(HttpMethod.Get, "projects", "projects"))
        {
        }

        var keys = host.Server.LogEntries.Select(e => Header(e, "Authorization")).ToList();
        Assert.Equal(["Bearer old-key", "Bearer new-key"], keys);
    }

    [Fact]
    public async Task SendAsync_SuccessRetriesAndFailures_NeverLogApiKey()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/ok")).RespondWith(Response.Create().WithStatusCode(200));
        host.Server.Given(Request.Create().WithPath("/flaky")).RespondWith(Response.Create().WithStatusCode(500)
            .WithBody($$"""{"code":"INTERNAL","message":"echo {{NeonApiTestHost.ApiKey}}"}"""));

        using (await host.SendAsync(HttpMethod.Get, "ok", "ok"))
        {
        }

        using (var flaky = await host.SendAsync(HttpMethod.Get, "flaky", "flaky"))
        {
            var error = await NeonApiErrorFactory.CreateAsync(flaky, CancellationToken.None);
            Assert.DoesNotContain(NeonApiTestHost.ApiKey, error.ToString(), StringComparison.Ordinal);
        }

        using (var timeoutHost = NeonApiTestHost.CreateGated(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(100)))
        {
            var call = timeoutHost.SendAsync(HttpMethod.Post, "slow", "slow");
            await timeoutHost.Gate.NextAsync();
            timeoutHost.Time.Advance(TimeSpan.FromMilliseconds(100));
            var timeout = await Assert.ThrowsAsync<NeonApiTimeoutException>(() => call);
            Assert.DoesNotContain(NeonApiTestHost.ApiKey, timeout.ToString(), StringComparison.Ordinal);
            Assert.Contains(timeoutHost.Logs.GetSnapshot(), r => r.Id.Id == NeonApiEventId.AttemptFailed);
            AssertNoKeyIn(timeoutHost);
        }

        var records = host.Logs.GetSnapshot();
        Assert.Contains(records, r => r.Id.Id == NeonApiEventId.AttemptCompleted); // attempts are logged...
        Assert.Contains(records, r => r.Id.Id == NeonApiEventId.RetryScheduled); // ...and retries
        AssertNoKeyIn(host);
    }

    private static void AssertNoKeyIn(NeonApiTestHost host)
    {
        foreach (var record in host.Logs.GetSnapshot())
        {
            Assert.False(record.Message.Contains(NeonApiTestHost.ApiKey, StringComparison.Ordinal), record.Category + " " + record.Id + " " + record.Message);
            Assert.DoesNotContain(NeonApiTestHost.ApiKey, record.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            foreach (var pair in record.StructuredState ?? [])
            {
                Assert.False((pair.Value ?? string.Empty).Contains(NeonApiTestHost.ApiKey, StringComparison.Ordinal), record.Category + " " + record.Id + " " + pair.Key + " " + record.Message);
            }
        }
    }

    [Fact]
    public async Task SendAsync_RetriedCall_EmitsOneActivityWithTags()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Neon.Tenancy",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        using var host = NeonApiTestHost.Create();
        host.RespondInSequence("/projects/p-activity-1/branches", Response.Create().WithStatusCode(429), Response.Create().WithStatusCode(404));
        using var request = NeonApiTestHost.Request(HttpMethod.Get, "projects/p-activity-1/branches", "projects/{project_id}/branches");
        request.Options.Set(NeonRequestOptions.OperationId, "listProjectBranches");

        using var response = await host.Client.SendAsync(request);

        // The listener hears every Neon.Tenancy activity in the process (other test classes run at the same time): this
        // call's is the one carrying a request id this test's server received.
        var requestIds = host.Server.LogEntries.Select(e => Header(e, "X-Request-ID")).ToHashSet(StringComparer.Ordinal);
        Activity activity;
        lock (activities)
        {
            activity = Assert.Single(activities, a => a.GetTagItem("neon.request_id") is string id && requestIds.Contains(id));
        }

        Assert.Equal("GET projects/{project_id}/branches", activity.DisplayName);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal("GET", activity.GetTagItem("http.request.method"));
        Assert.Equal(404, activity.GetTagItem("http.response.status_code"));
        Assert.Equal(1, activity.GetTagItem("http.request.resend_count"));
        Assert.Equal("listProjectBranches", activity.GetTagItem("neon.operation_id"));
        Assert.Equal(Header(host.Server.LogEntries.First(), "X-Request-ID"), activity.GetTagItem("neon.request_id"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public async Task SendAsync_RequestWithoutRouteTemplate_UsesPathInErrors()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(404));

        using var response = await host.SendAsync(HttpMethod.Get, "projects/p-42?limit=1");
        var error = await NeonApiErrorFactory.CreateAsync(response, CancellationToken.None);

        Assert.Contains("GET projects/p-42 failed with 404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_CallerSuppliedRequestId_IsKept()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().UsingGet()).RespondWith(Response.Create().WithStatusCode(200));
        using var request = NeonApiTestHost.Request(HttpMethod.Get, "projects", "projects");
        request.Headers.Add("X-Request-ID", "my-correlation-id");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal("my-correlation-id", Header(Assert.Single(host.Server.LogEntries), "X-Request-ID"));
        Assert.Equal("1", request.Options.TryGetValue(NeonRequestOptions.Attempts, out var attempts) ? attempts.ToString(CultureInfo.InvariantCulture) : null);
    }
}
