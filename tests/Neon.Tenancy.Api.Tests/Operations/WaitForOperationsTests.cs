using System.Text.Json;

namespace Neon.Tenancy.Api.Tests.Operations;

public class WaitForOperationsTests
{
    private static Operation Op(string id, string status, string action = "create_timeline", string? error = null) => new()
    {
        Id = id,
        ProjectId = "p-1",
        Action = action,
        Status = status,
        Error = error,
    };

    private static string Body(Operation op) =>
        JsonSerializer.Serialize(new OperationResponse { Operation = op }, NeonApiJsonContext.Default.OperationResponse);

    [Fact]
    public async Task WaitForOperationsAsync_RunningThenFinished_ReturnsFinalStates()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/a").UsingGet()).InScenario("a")
            .WillSetStateTo("done").RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Body(Op("a", "running"))));
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/a").UsingGet()).InScenario("a").WhenStateIs("done")
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Body(Op("a", "finished"))));
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/b").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Body(Op("b", "skipped", "start_compute"))));

        var result = await host.ApiClient.WaitForOperationsAsync([Op("a", "scheduling"), Op("b", "running", "start_compute"), Op("c", "finished")]);

        Assert.Equal(["finished", "skipped", "finished"], result.Select(o => o.Status.Value));
        Assert.Equal(2, host.Server.LogEntries.Count(e => e.RequestMessage!.AbsolutePath.EndsWith("/a", StringComparison.Ordinal)));
        Assert.Single(host.Server.LogEntries, e => e.RequestMessage!.AbsolutePath.EndsWith("/b", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Server.LogEntries, e => e.RequestMessage!.AbsolutePath.EndsWith("/c", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WaitForOperationsAsync_AllEnded_MakesNoCall()
    {
        using var host = NeonApiTestHost.Create();

        var result = await host.ApiClient.WaitForOperationsAsync([Op("a", "finished"), Op("b", "skipped")]);

        Assert.Equal(2, result.Count);
        Assert.Empty(host.Server.LogEntries);
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("error")]
    [InlineData("cancelled")]
    public async Task WaitForOperationsAsync_OperationFails_ThrowsTypedExceptionWithIdActionAndError(string status)
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/a").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
                .WithBody(Body(Op("a", status, "apply_config", "compute failed to start"))));

        var ex = await Assert.ThrowsAsync<NeonOperationFailedException>(() => host.ApiClient.WaitForOperationsAsync([Op("a", "running", "apply_config")]));

        Assert.Equal("a", ex.OperationId);
        Assert.Equal("p-1", ex.ProjectId);
        Assert.Equal(OperationAction.ApplyConfig, ex.Action);
        Assert.Equal(status, ex.Status.Value);
        Assert.Equal("compute failed to start", ex.Error);
        Assert.Contains("apply_config", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForOperationsAsync_DeadlinePasses_ThrowsTimeoutCarryingPendingOperations()
    {
        var time = new ObservedTimeProvider();
        using var host = NeonApiTestHost.Create(o => o.OperationPollInterval = TimeSpan.FromSeconds(1), time);
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/a").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Body(Op("a", "running"))));
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/b").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Body(Op("b", "finished"))));

        var wait = host.ApiClient.WaitForOperationsAsync([Op("a", "scheduling"), Op("b", "running")], TimeSpan.FromSeconds(1.5));
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1)); // first poll: a still running, b finished
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(0.5)); // the last wait is cut to what is left of the 1.5 s
        var ex = await Assert.ThrowsAsync<NeonOperationTimeoutException>(() => wait);

        var pending = Assert.Single(ex.PendingOperations);
        Assert.Equal("a", pending.Id);
        Assert.Equal(OperationStatus.Running, pending.Status);
        Assert.Equal(TimeSpan.FromSeconds(1.5), ex.Timeout);
        Assert.Single(host.Server.LogEntries, e => e.RequestMessage!.AbsolutePath.EndsWith("/b", StringComparison.Ordinal));
        Assert.InRange(host.Server.LogEntries.Count(e => e.RequestMessage!.AbsolutePath.EndsWith("/a", StringComparison.Ordinal)), 1, 2);
    }

    [Fact]
    public async Task WaitForOperationsAsync_CallerCancelsBetweenPolls_ThrowsOperationCanceledNotTimeout()
    {
        var time = new ObservedTimeProvider();
        using var host = NeonApiTestHost.Create(timeProvider: time);
        using var cts = new CancellationTokenSource();

        var wait = host.ApiClient.WaitForOperationsAsync([Op("a", "running")], TimeSpan.FromMinutes(1), cancellationToken: cts.Token);
        await time.WhenArmedAsync(TimeSpan.FromMilliseconds(10)); // waiting for the first poll
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);

        Assert.IsNotType<NeonOperationTimeoutException>(ex);
        Assert.Empty(host.Server.LogEntries);
    }

    [Fact]
    public async Task WaitForOperationsAsync_FirstPoll_PollsEarlyThenDoublesUpToTheInterval()
    {
        var time = new ObservedTimeProvider();
        using var host = NeonApiTestHost.Create(o => o.OperationPollInterval = TimeSpan.FromMilliseconds(100), time);
        var states = new[] { "running", "running", "running", "finished" };
        for (var i = 0; i < states.Length; i++)
        {
            var given = host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/a").UsingGet()).InScenario("a");
            (i == 0 ? given : given.WhenStateIs("s" + i)).WillSetStateTo("s" + (i + 1))
                .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(Body(Op("a", states[i]))));
        }

        var wait = host.ApiClient.WaitForOperationsAsync([Op("a", "running")], firstPoll: TimeSpan.FromMilliseconds(20));
        foreach (var delay in new[] { 20, 40, 80, 100 }) // doubled, then held at the 100 ms interval
        {
            await time.AdvanceWhenArmedAsync(TimeSpan.FromMilliseconds(delay));
        }

        var result = await wait;
        Assert.Equal("finished", Assert.Single(result).Status.Value);
        Assert.Equal(4, host.Server.LogEntries.Count());
    }

    [Fact]
    public async Task WaitForOperationsAsync_FirstPollBelowOneMillisecond_ThrowsNamingIt()
    {
        using var host = NeonApiTestHost.Create();

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.ApiClient.WaitForOperationsAsync([Op("a", "running")], firstPoll: TimeSpan.Zero));

        Assert.Equal("firstPoll", ex.ParamName);
        Assert.Empty(host.Server.LogEntries);
    }
}
