using System.Text.Json;

namespace Neon.Tenancy.Api.Tests.Operations;

/// <summary>The wait a mutation makes first: until the project runs nothing, whoever started what it runs.</summary>
public class WaitForProjectOperationsTests
{
    private const string OperationsPath = "/projects/p-1/operations";

    private static Operation Op(string id, string status) => new() { Id = id, ProjectId = "p-1", Action = "apply_config", Status = status };

    private static string Page(params Operation[] operations) =>
        JsonSerializer.Serialize(new ListProjectOperationsResponse { Operations = [.. operations] }, NeonApiJsonContext.Default.ListProjectOperationsResponse);

    /// <summary>Answers the operations list with <paramref name="operations"/> in scenario state <paramref name="state"/> (null: the first answer).</summary>
    private static void AnswerOperations(NeonApiTestHost host, string? state, string? nextState, params Operation[] operations)
    {
        var given = host.Server.Given(Request.Create().WithPath(OperationsPath).UsingGet()).InScenario("ops");
        if (state is not null)
        {
            given = given.WhenStateIs(state);
        }

        var response = Response.Create().WithHeader("Content-Type", "application/json").WithBody(Page(operations));
        if (nextState is null)
        {
            given.RespondWith(response);
        }
        else
        {
            given.WillSetStateTo(nextState).RespondWith(response);
        }
    }

    private static int Polls(NeonApiTestHost host) => host.Server.LogEntries.Count(e => e.RequestMessage!.AbsolutePath == OperationsPath);

    [Theory]
    [InlineData("finished", true, false)]
    [InlineData("skipped", true, false)]
    [InlineData("failed", false, true)]
    [InlineData("error", false, true)]
    [InlineData("cancelled", false, true)]
    [InlineData("scheduling", false, false)]
    [InlineData("running", false, false)]
    [InlineData("cancelling", false, false)]
    [InlineData("some_status_neon_adds_later", false, false)]
    public void OperationStatus_SortsEveryStatus(string status, bool succeeded, bool failed)
    {
        var value = new OperationStatus(status);

        Assert.Equal(succeeded, value.HasSucceeded);
        Assert.Equal(failed, value.HasFailed);
        Assert.Equal(succeeded || failed, value.HasEnded);
    }

    [Fact]
    public async Task GetRunningProjectOperationsAsync_ReturnsOnlyOperationsThatHaveNotEnded()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath(OperationsPath).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json")
                .WithBody(Page(Op("a", "running"), Op("b", "finished"), Op("c", "cancelling"), Op("d", "failed"), Op("e", "scheduling"))));

        var running = await host.ApiClient.Operations.GetRunningProjectOperationsAsync("p-1");

        Assert.Equal(["a", "c", "e"], running.Select(o => o.Id));
    }

    [Fact]
    public async Task WaitForProjectOperationsAsync_OperationsStartedElsewhere_ReturnsWhenTheyEndHoweverTheyEnd()
    {
        var time = new ObservedTimeProvider();
        using var host = NeonApiTestHost.Create(o => o.OperationPollInterval = TimeSpan.FromSeconds(1), time);
        AnswerOperations(host, null, "second", Op("a", "running"), Op("b", "scheduling"));
        AnswerOperations(host, "second", "third", Op("a", "failed"), Op("b", "running")); // a's failure is not this wait's
        AnswerOperations(host, "third", null, Op("a", "failed"), Op("b", "finished"));

        var wait = host.ApiClient.WaitForProjectOperationsAsync("p-1", TimeSpan.FromMinutes(1));
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1));
        Assert.False(wait.IsCompleted);
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, Polls(host));
    }

    [Fact]
    public async Task WaitForProjectOperationsAsync_IdleProject_ReturnsAfterOneCall()
    {
        using var host = NeonApiTestHost.Create();
        AnswerOperations(host, null, null, Op("a", "finished"));

        await host.ApiClient.WaitForProjectOperationsAsync("p-1");

        Assert.Equal(1, Polls(host));
    }

    [Fact]
    public async Task WaitForProjectOperationsAsync_ProjectNeonDoesNotKnow_RunsNothing()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath(OperationsPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json").WithBody("""{"code":"","message":"project not found"}"""));

        await host.ApiClient.WaitForProjectOperationsAsync("p-1");

        Assert.Equal(1, Polls(host));
    }

    [Fact]
    public async Task WaitForProjectOperationsAsync_StillRunningAtTheDeadline_ThrowsTimeoutCarryingThem()
    {
        var time = new ObservedTimeProvider();
        using var host = NeonApiTestHost.Create(o => o.OperationPollInterval = TimeSpan.FromSeconds(1), time);
        AnswerOperations(host, null, null, Op("a", "running"), Op("b", "finished"));

        var wait = host.ApiClient.WaitForProjectOperationsAsync("p-1", TimeSpan.FromSeconds(1.5));
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1));
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(0.5)); // the last wait is cut to what is left
        var ex = await Assert.ThrowsAsync<NeonOperationTimeoutException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("a", Assert.Single(ex.PendingOperations).Id);
        Assert.Equal(TimeSpan.FromSeconds(1.5), ex.Timeout);
        Assert.Equal(3, Polls(host));
    }
}
