using System.Text.Json;
using System.Text.Json.Nodes;

namespace Neon.Tenancy.Api.Tests.Client;

public class NeonApiClientTests
{
    private static string OperationJson(string action, string status = "running", string id = "op-1") => $$$"""
        {"operation":{"id":"{{{id}}}","project_id":"p-1","action":"{{{action}}}","status":"{{{status}}}","failures_count":0,
         "created_at":"2026-11-28T09:15:02Z","updated_at":"2026-11-28T09:15:02Z","total_duration_ms":12}}
        """;

    [Fact]
    public async Task CreateProjectAsync_RealisticResponse_IsFullyTyped()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/projects").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json")
                .WithBody(NeonApiTestHost.Fixture("create-project-201.json")));

        var created = await host.ApiClient.Projects.CreateProjectAsync(new ProjectCreateRequest
        {
            Project = new ProjectCreateRequestProject
            {
                Name = "nt-acme",
                RegionId = "aws-us-east-2",
                Settings = new ProjectSettingsData { Quota = new ProjectQuota { WrittenDataBytes = 5_368_709_120 } },
                Branch = new ProjectCreateRequestProjectBranch { DatabaseName = "app", RoleName = "app_owner" },
            },
        });

        Assert.Equal("shiny-wind-028834", created.Project.Id);
        Assert.Equal(5_368_709_120, created.Project.Settings!.Quota!.WrittenDataBytes);
        Assert.Equal("br-wispy-meadow-118737", created.Branch.Id);
        Assert.Equal(EndpointType.ReadWrite, created.Endpoints[0].Type);
        Assert.Equal("ep-cool-darkness-123456.us-east-2.aws.neon.tech", created.Endpoints[0].Host);
        Assert.Equal("app", Assert.Single(created.Databases).Name);
        Assert.Equal("npg_F4k3Pa55w0rd", Assert.Single(created.Roles).Password);
        Assert.Equal(OperationAction.CreateTimeline, created.Operations[0].Action);
        Assert.Equal(OperationStatus.Scheduling, created.Operations[1].Status);
        var parameters = Assert.Single(created.ConnectionUris).ConnectionParameters;
        Assert.Equal("ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech", parameters.PoolerHost);

        var sent = JsonNode.Parse(Assert.Single(host.Server.LogEntries).RequestMessage!.Body!)!;
        Assert.Equal("nt-acme", sent["project"]!["name"]!.GetValue<string>());
        Assert.Equal(5_368_709_120, sent["project"]!["settings"]!["quota"]!["written_data_bytes"]!.GetValue<long>());
        Assert.Null(sent["project"]!["pg_version"]);
        Assert.Null(sent["project"]!["settings"]!["quota"]!["compute_time_seconds"]);
    }

    [Fact]
    public async Task GetProjectOperationAsync_UnknownAction_DeserializesAndKeepsTheValue()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/projects/p-1/operations/op-1").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(OperationJson("defragment_the_universe", "brand_new_status")));

        var operation = (await host.ApiClient.Operations.GetProjectOperationAsync("p-1", "op-1")).Operation;

        Assert.Equal("defragment_the_universe", operation.Action.Value);
        Assert.Equal(new OperationStatus("brand_new_status"), operation.Status);
        Assert.NotEqual(OperationStatus.Finished, operation.Status);
        var json = JsonSerializer.Serialize(operation, NeonApiJsonContext.Default.Operation);
        Assert.Contains("\"action\":\"defragment_the_universe\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Models_ValuesBeyondInt32_AreSixtyFourBit()
    {
        const string json = """
            {"project_id":"p-1","periods":[{"period_id":"x","period_plan":"scale","period_start":"2026-11-01T00:00:00Z",
             "consumption":[{"timeframe_start":"2026-11-01T00:00:00Z","metrics":[{"metric_name":"root_branch_bytes_month","value":9007199254740993}]}]}]}
            """;

        var project = JsonSerializer.Deserialize(json, NeonApiJsonContext.Default.ConsumptionHistoryPerProjectV2)!;

        Assert.Equal(9_007_199_254_740_993L, project.Periods[0].Consumption[0].Metrics![0].Value);
        Assert.Equal(typeof(long), typeof(Project).GetProperty(nameof(Project.WrittenDataBytes))!.PropertyType);
        Assert.Equal(typeof(long?), typeof(ProjectQuota).GetProperty(nameof(ProjectQuota.DataTransferBytes))!.PropertyType);
    }

    [Fact]
    public async Task GetConsumptionHistoryPerProjectV2Async_Arguments_AreEncodedAsTheApiDocuments()
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/consumption_history/v2/projects").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"projects":[]}"""));

        await host.ApiClient.Consumption.GetConsumptionHistoryPerProjectV2Async(
            new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.FromHours(2)), new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero),
            ConsumptionHistoryGranularity.Daily, "org-a b", ["compute_unit_seconds", "root_branch_bytes_month"], projectIds: ["p-1", "p-2"]);

        var request = Assert.Single(host.Server.LogEntries).RequestMessage!;
        var query = request.Query!;
        Assert.Equal(["2026-11-01T00:00:00Z"], query["from"]);
        Assert.Equal(["2026-11-02T00:00:00Z"], query["to"]);
        Assert.Equal(["daily"], query["granularity"]);
        Assert.Equal(["org-a b"], query["org_id"]);
        Assert.Equal(["compute_unit_seconds", "root_branch_bytes_month"], query["metrics"]);
        Assert.Equal(["p-1", "p-2"], query["project_ids"]);
        Assert.False(query.ContainsKey("cursor"));
        Assert.Contains("metrics=compute_unit_seconds&metrics=root_branch_bytes_month", request.RawQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathParameters_AreEscapedAndRequired()
    {
        var handler = new RecordingHandler("""{"operation":{"id":"op 1","project_id":"p/x","action":"apply_config","status":"running"}}""");
        using var http = new HttpClient(handler) { BaseAddress = new Uri("https://neon.test/api/v2/") };
        var client = new NeonApiClient(http, new FixedOptionsMonitor<NeonApiOptions>(new NeonApiOptions()));

        await client.Operations.GetProjectOperationAsync("p/x?y#z", "op 1");

        Assert.Equal("/api/v2/projects/p%2Fx%3Fy%23z/operations/op%201", Assert.Single(handler.Requests).AbsolutePath);
        await Assert.ThrowsAsync<ArgumentException>(() => client.Projects.GetProjectAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => client.Projects.GetProjectAsync(".."));
        Assert.Single(handler.Requests);
    }

    private sealed class FixedOptionsMonitor<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private sealed class RecordingHandler(string body) : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(body) });
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"project\":")]
    [InlineData("<html>bad gateway</html>")]
    [InlineData("null")]
    public async Task SuccessWithMalformedBody_ThrowsNeonMalformedResponseExceptionNotJsonException(string body)
    {
        using var host = NeonApiTestHost.Create();
        host.Server.Given(Request.Create().WithPath("/projects/p-1").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(body));

        var ex = await Assert.ThrowsAsync<NeonMalformedResponseException>(() => host.ApiClient.Projects.GetProjectAsync("p-1"));

        Assert.Contains("projects/{project_id}", ex.Message, StringComparison.Ordinal);
    }
}
