using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>
/// Realistic latencies: project creation and cold starts (real time, through the loopback proxy, against the real
/// PostgreSQL). Timings are asserted as ratios within one test, never as tight absolute bounds.
/// </summary>
public class LatencyTests
{
    private static readonly TimeSpan StartLatency = TimeSpan.FromSeconds(1); // Neon plans 1-2 s; a wide margin for the fast opens

    private static FakeHost StartCold(out Microsoft.Extensions.Time.Testing.FakeTimeProvider time) =>
        FakeHost.StartBacked(out time, o => o.ComputeStartLatency = StartLatency);

    private static async Task<TimeSpan> TimeOpenAsync(string connectionString)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        Assert.Equal(1, await command.ExecuteScalarAsync());
        return watch.Elapsed;
    }

    [Fact]
    public async Task ComputeStartLatency_FirstOpenOfNewProject_PaysOnceThenIsFast()
    {
        await using var host = StartCold(out _);
        var created = await host.CreateProjectAsync();
        var connectionString = FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri);

        var first = await TimeOpenAsync(connectionString);
        var second = await TimeOpenAsync(connectionString);

        Assert.True(first >= StartLatency, $"first open took {first}, less than the start latency {StartLatency}");
        Assert.True(second < StartLatency / 2, $"second open took {second}, the compute was already running");
        var endpoint = (await host.Client.Endpoints.GetProjectEndpointAsync(created.Project.Id, created.Endpoints[0].Id)).Endpoint;
        Assert.Equal(EndpointState.Active, endpoint.CurrentState);
        Assert.NotNull(endpoint.LastActive);
    }

    [Fact]
    public async Task ComputeStartLatency_ConcurrentFirstOpens_ShareOneStart()
    {
        await using var host = StartCold(out _);
        var created = await host.CreateProjectAsync();
        var connectionString = FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri);

        var watch = Stopwatch.StartNew();
        var opens = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TimeOpenAsync(connectionString)));
        var total = watch.Elapsed;

        Assert.All(opens, o => Assert.True(o >= StartLatency, $"an open took {o}, less than the start latency"));
        Assert.True(total < StartLatency * 2, $"four concurrent first opens took {total}: each paid its own start");
    }

    [Fact]
    public async Task ComputeStartLatency_AfterSuspend_NextOpenPaysAgain()
    {
        await using var host = StartCold(out var time);
        var created = await host.CreateProjectAsync();
        var projectId = created.Project.Id;
        var endpointId = created.Endpoints[0].Id;
        var connectionString = FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri);
        await TimeOpenAsync(connectionString);
        var warm = await TimeOpenAsync(connectionString);
        time.Advance(TimeSpan.FromSeconds(10));

        var (status, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/endpoints/{endpointId}/suspend");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(EndpointState.Idle, (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, endpointId)).Endpoint.CurrentState);
        var woken = await TimeOpenAsync(connectionString);

        Assert.True(woken >= StartLatency, $"the open after suspend took {woken}, less than the start latency");
        Assert.True(warm < StartLatency / 2, $"the warm open took {warm}");
        Assert.Equal(EndpointState.Active, (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, endpointId)).Endpoint.CurrentState);
    }

    [Fact]
    public async Task ComputeStartLatency_StartedThroughTheApi_FirstOpenIsFast()
    {
        await using var host = StartCold(out var time);
        var created = await host.CreateProjectAsync();
        var connectionString = FakeHost.ToNpgsql(created.ConnectionUris[0].ConnectionUri);
        var cold = await TimeOpenAsync(connectionString);
        time.Advance(TimeSpan.FromSeconds(10));
        var path = $"projects/{created.Project.Id}/endpoints/{created.Endpoints[0].Id}";
        Assert.Equal(HttpStatusCode.OK, (await host.RawAsync(HttpMethod.Post, path + "/suspend")).Status);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.OK, (await host.RawAsync(HttpMethod.Post, path + "/start")).Status);
        var started = await TimeOpenAsync(connectionString);

        Assert.True(cold >= StartLatency, $"the cold open took {cold}");
        Assert.True(started < StartLatency / 2, $"the open after an API start took {started}");
    }

    [Fact]
    public async Task ComputeStartLatency_Zero_ConnectionUriNamesTheRealServer()
    {
        await using var host = FakeHost.StartBacked(out _);
        var created = await host.CreateProjectAsync();
        var pooled = await host.Client.Projects.GetConnectionURIAsync(created.Project.Id, "neondb", "neondb_owner", pooled: true);

        var real = new NpgsqlConnectionStringBuilder(FakeHost.PostgresConnectionString).Port;
        Assert.Equal(real, new Uri(created.ConnectionUris[0].ConnectionUri).Port);
        Assert.Equal(real, new Uri(pooled.Uri).Port);
    }

    [Fact]
    public async Task ComputeStartLatency_Set_ConnectionUriNamesAProxyPortPerEndpoint()
    {
        await using var host = StartCold(out _);
        var a = await host.CreateProjectAsync("a");
        var b = await host.CreateProjectAsync("b");
        var again = await host.Client.Projects.GetConnectionURIAsync(a.Project.Id, "neondb", "neondb_owner", pooled: true);

        var real = new NpgsqlConnectionStringBuilder(FakeHost.PostgresConnectionString).Port;
        var portA = new Uri(a.ConnectionUris[0].ConnectionUri).Port;
        Assert.NotEqual(real, portA);
        Assert.Equal(portA, new Uri(again.Uri).Port);
        Assert.NotEqual(portA, new Uri(b.ConnectionUris[0].ConnectionUri).Port);
    }

    [Fact]
    public async Task Dispose_ClosesEveryProxyPort()
    {
        var host = StartCold(out _);
        var created = await host.CreateProjectAsync();
        var uri = new Uri(created.ConnectionUris[0].ConnectionUri);
        await TimeOpenAsync(FakeHost.ToNpgsql(uri.ToString()));

        await host.DisposeAsync();

        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, uri.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task DeleteProject_ClosesItsProxyPort()
    {
        await using var host = StartCold(out var time);
        var created = await host.CreateProjectAsync();
        var uri = new Uri(created.ConnectionUris[0].ConnectionUri);
        time.Advance(TimeSpan.FromSeconds(10));

        await host.Client.Projects.DeleteProjectAsync(created.Project.Id);

        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, uri.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ProjectCreationLatency_CreateAnswersAfterIt()
    {
        var latency = TimeSpan.FromMilliseconds(500);
        await using var host = FakeHost.Start(o => o.ProjectCreationLatency = latency);

        var watch = Stopwatch.StartNew();
        await host.CreateProjectAsync();
        var create = watch.Elapsed;
        watch.Restart();
        await host.Client.Projects.ListProjectsAsync();
        var list = watch.Elapsed;

        Assert.True(create >= latency, $"create took {create}, less than {latency}");
        Assert.True(list < latency / 2, $"list took {list}: only creation is slow");
    }

    [Theory]
    [InlineData(nameof(NeonFakeServerOptions.ProjectCreationLatency))]
    [InlineData(nameof(NeonFakeServerOptions.ComputeStartLatency))]
    public void Start_NegativeLatency_ThrowsNamingTheOption(string option)
    {
        var options = new NeonFakeServerOptions();
        typeof(NeonFakeServerOptions).GetProperty(option)!.SetValue(options, TimeSpan.FromMilliseconds(-1));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NeonFakeServer.Start(options));

        Assert.Equal(option, error.ParamName);
    }
}
