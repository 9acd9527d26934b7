using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api.Tests.Client;

/// <summary>
/// Answers a hostile or broken server could give. Each ends in one typed error that says what was wrong and where, and
/// never carries the configured key (a key not in Neon's <c>napi_</c> shape, so no pattern can catch it) or a password
/// from the body, neither in the message nor in <see cref="Exception.ToString"/> nor in the logs.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class MalformedAnswerTests
{
    private const string Key = "correct-horse-battery-staple-42";
    private const string Password = "hunter2-Pa55w0rd";
    private const string Valid = """{"id":"op1","project_id":"p1","action":"create_branch","status":"finished","failures_count":0,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","total_duration_ms":1}""";
    private const string Secrets = "\"note\":\"" + Key + " postgres://u:" + Password + "@host/db password=" + Password + "\"";

    public static TheoryData<string, string, string?, bool> Malformed => new()
    {
        // body, what the message says, the field to blame, truncated
        { "", "the body is empty", null, false },
        { "not json at all " + Key, "the body is not JSON", null, false },
        { "<html><body>502 Bad Gateway " + Password + "</body></html>", "the body is not JSON", null, false },
        { "{\"operation\":{\"id\":\"op1\"} } trailing", "the body is not JSON", null, false },
        { "{\"operation\": ", "the body is truncated: the JSON breaks off", null, true },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":\"p1\"," + Secrets, "the body is truncated: the JSON breaks off", null, true },
        { "[1, 2", "the body is truncated", null, true },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":\"p1\",\"failures_count\":12", "the body is truncated", null, true },
        { "null", "the body is JSON null", "$", false },
        { "{}", "a required field is missing or null", "$.operation", false },
        { "{" + Secrets + "}", "a required field is missing or null", "$.operation", false },
        { "{\"operation\":null}", "a required field is missing or null", "$.operation", false },
        { "{\"operation\":{\"id\":null,\"project_id\":\"p1\"," + Secrets + "}}", "an operation has no id", "$.operation.id", false },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":null}}", "an operation has no project id", "$.operation.project_id", false },
        { "{\"operation\":{\"id\":\"\",\"project_id\":\"p1\"}}", "an operation has no id", "$.operation.id", false },
        { "{\"operation\":{\"project_id\":\"p1\"}}", "an operation has no id", "$.operation.id", false },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":\"\"}}", "an operation has no project id", "$.operation.project_id", false },
        { "{\"operation\":[]}", "a value is not of the documented type", "$.operation", false },
        { "[]", "a value is not of the documented type", "$", false },
        { "\"" + Key + "\"", "a value is not of the documented type", "$", false },
        { "{\"operation\":{\"id\":5,\"project_id\":\"p1\"}}", "a value is not of the documented type", "$.operation.id", false },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":\"p1\",\"failures_count\":\"" + Password + "\"}}", "a value is not of the documented type", "$.operation.failures_count", false },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":\"p1\",\"status\":7}}", "a value is not of the documented type", "$.operation.status", false },
        { "{\"operation\":{\"id\":\"op1\",\"project_id\":\"p1\",\"created_at\":\"" + Key + "\"}}", "a value is not of the documented type", "$.operation.created_at", false },
    };

    private static NeonApiTestHost CreateHost() => NeonApiTestHost.Create(o => o.ApiKey = Key);

    private static void AssertNoSecret(NeonApiTestHost host, Exception ex)
    {
        foreach (var text in new[] { ex.Message, ex.ToString() })
        {
            Assert.DoesNotContain(Key, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        }

        foreach (var record in host.Logs.GetSnapshot())
        {
            var logged = record.Message + " " + string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? []) + " " + record.Exception;
            Assert.DoesNotContain(Key, logged, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Password, logged, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task GetProjectOperation_MalformedSuccessBody_ThrowsMalformedResponseNamingWhatAndWhere(string body, string what, string? field, bool truncated)
    {
        using var host = CreateHost();
        host.Server.Given(Request.Create().WithPath("/projects/p1/operations/op1"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

        var ex = await Assert.ThrowsAsync<NeonMalformedResponseException>(() => host.ApiClient.Operations.GetProjectOperationAsync("p1", "op1"));

        Assert.Contains("GET projects/{project_id}/operations/{operation_id} answered 200 with a malformed body: " + what, ex.Message, StringComparison.Ordinal);
        Assert.Equal(field, ex.Field);
        if (field is not null)
        {
            Assert.Contains(" at " + field, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(truncated, ex.IsTruncated);
        Assert.Equal(truncated, ex.IsTransient);
        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.NotNull(ex.RequestId);
        AssertNoSecret(host, ex);
    }

    [Fact]
    public async Task GetProjectOperation_ValidBody_Succeeds()
    {
        // The control for the rows above: the same route and shape, well formed.
        using var host = CreateHost();
        host.Server.Given(Request.Create().WithPath("/projects/p1/operations/op1"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"operation\":" + Valid + "}"));

        var answer = await host.ApiClient.Operations.GetProjectOperationAsync("p1", "op1");

        Assert.Equal("op1", answer.Operation.Id);
    }

    [Fact]
    public async Task GetProjectOperation_BodyShorterThanContentLength_SaysTruncated()
    {
        using var server = RawHttpServer.Answering("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\nConnection: close\r\n\r\n{\"operation\":{\"id\":\"op1\",\"note\":\"" + Key + "\"");
        using var host = NeonApiTestHost.Create(o => (o.ApiKey, o.BaseAddress) = (Key, server.Url));

        var ex = await Assert.ThrowsAsync<NeonMalformedResponseException>(() => host.ApiClient.Operations.GetProjectOperationAsync("p1", "op1"));

        Assert.Contains("answered 200 with a malformed body: the body is truncated", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AttemptTimeout", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTruncated);
        Assert.True(ex.IsTransient);
        AssertNoSecret(host, ex);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task WaitForOperations_OperationWithoutId_ThrowsMalformedResponseNotArgumentException(string? id)
    {
        using var host = CreateHost();
        var operations = new[] { new Operation { Id = "op1", ProjectId = "p1", Status = OperationStatus.Finished }, new Operation { Id = id!, ProjectId = "p1", Status = OperationStatus.Running } };

        var ex = await Assert.ThrowsAsync<NeonMalformedResponseException>(() => host.ApiClient.WaitForOperationsAsync(operations));

        Assert.Equal("operations[1].id", ex.Field);
        Assert.Contains("an operation has no id at operations[1].id", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.RequestCount);
    }

    [Fact]
    public async Task WaitForOperations_PollAnswersOperationWithoutId_ThrowsMalformedResponse()
    {
        using var host = CreateHost();
        host.Server.Given(Request.Create().WithPath("/projects/p1/operations/op1"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"operation\":{\"id\":\"\",\"project_id\":\"p1\",\"status\":\"running\"}}"));

        var ex = await Assert.ThrowsAsync<NeonMalformedResponseException>(() => host.ApiClient.WaitForOperationsAsync(
            [new Operation { Id = "op1", ProjectId = "p1", Status = OperationStatus.Running }]));

        Assert.Equal("$.operation.id", ex.Field);
    }

    public static TheoryData<string, string?> EchoedKey => new()
    {
        // error body, X-Request-ID header of the answer
        { $$"""{"code":"","message":"invalid API key {{Key}}"}""", null },
        { $$"""{"code":"","message":"Authorization: {{Key}} was rejected"}""", null },
        { $$"""{"code":"","message":"x-neon-key={{Key.ToUpperInvariant()}}"}""", null },
        { $$"""{"code":"","message":"see https://console.neon.tech/?key={{Uri.EscapeDataString(Key + "/")}}"}""", null },
        { $$"""{"code":"{{Key}}","message":"bad key","request_id":"{{Key}}"}""", null },
        { """{"code":"","message":"bad key"}""", Key },
    };

    [Theory]
    [MemberData(nameof(EchoedKey))]
    public async Task ErrorAnswer_EchoesTheConfiguredKey_NoKeyInMessageToStringOrLogs(string body, string? requestIdHeader)
    {
        using var host = CreateHost();
        var response = Response.Create().WithStatusCode(401).WithBody(body);
        if (requestIdHeader is not null)
        {
            response = response.WithHeader("X-Request-ID", requestIdHeader);
        }

        host.Server.Given(Request.Create().WithPath("/projects/p1")).RespondWith(response);

        var ex = await Assert.ThrowsAsync<NeonAuthorizationException>(() => host.ApiClient.Projects.GetProjectAsync("p1"));

        Assert.Contains("failed with 401", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.ErrorCode ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Key, ex.RequestId ?? "", StringComparison.OrdinalIgnoreCase);
        AssertNoSecret(host, ex);
    }

    [Fact]
    public async Task ErrorAnswer_EchoesAKeyRotatedThroughTheMonitor_NeitherOldNorNewKeyAppears()
    {
        const string rotated = "second-horse-battery-staple-43";
        using var host = CreateHost();
        var client = host.ApiClient;
        var options = host.Services.GetRequiredService<IOptionsMonitor<NeonApiOptions>>().CurrentValue;
        options.ApiKey = rotated; // the key changes at run time; an answer may still echo the one before
        host.Server.Given(Request.Create().WithPath("/projects/p1")).RespondWith(Response.Create().WithStatusCode(400)
            .WithBody($$"""{"code":"","message":"keys {{Key}} and {{rotated}} are both wrong"}"""));

        var ex = await Assert.ThrowsAsync<NeonApiException>(() => client.Projects.GetProjectAsync("p1"));

        Assert.Contains("are both wrong", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated, ex.ToString(), StringComparison.Ordinal);
        AssertNoSecret(host, ex);
    }

    [Fact]
    public async Task OperationFailed_ErrorEchoesTheKey_NoKeyInMessage()
    {
        using var host = CreateHost();
        var failed = new Operation { Id = "op1", ProjectId = "p1", Status = OperationStatus.Failed, Error = "compute rejected " + Key };

        var ex = await Assert.ThrowsAsync<NeonOperationFailedException>(() => host.ApiClient.WaitForOperationsAsync([failed]));

        Assert.Contains("compute rejected ***", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Error ?? "", StringComparison.Ordinal);
        AssertNoSecret(host, ex);
    }
}
