using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>A fake server, a generated client on it, and the clock that drives it.</summary>
internal sealed class FakeHost : IAsyncDisposable
{
    private FakeHost(NeonFakeServer server, TimeProvider time)
    {
        Server = server;
        Http = server.CreateClient();
        Client = new NeonApiClient(Http, new FixedOptionsMonitor(new NeonApiOptions { OperationPollInterval = TimeSpan.FromMilliseconds(20) }), time);
    }

    public NeonFakeServer Server { get; }

    public HttpClient Http { get; }

    public NeonApiClient Client { get; }

    /// <summary>A fake on a <see cref="FakeTimeProvider"/> (operations take 10 s of fake time unless told otherwise).</summary>
    public static FakeHost StartWithFakeTime(out FakeTimeProvider time, Action<NeonFakeServerOptions>? configure = null)
    {
        time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 15, 12, 0, 0, TimeSpan.Zero));
        var options = new NeonFakeServerOptions { TimeProvider = time, OperationDuration = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return new FakeHost(NeonFakeServer.Start(options), time);
    }

    /// <summary>A fake backed by the test PostgreSQL, on a <see cref="FakeTimeProvider"/> (operations take 10 s of fake time).</summary>
    public static FakeHost StartBacked(out FakeTimeProvider time, Action<NeonFakeServerOptions>? configure = null) =>
        StartWithFakeTime(out time, o =>
        {
            o.PostgresConnectionString = PostgresConnectionString;
            configure?.Invoke(o);
        });

    /// <summary>Whether the test PostgreSQL has a database of this name.</summary>
    public static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    /// <summary>A fake on the system clock with quick operations.</summary>
    public static FakeHost Start(Action<NeonFakeServerOptions>? configure = null)
    {
        var options = new NeonFakeServerOptions { OperationDuration = TimeSpan.FromMilliseconds(100) };
        configure?.Invoke(options);
        return new FakeHost(NeonFakeServer.Start(options), TimeProvider.System);
    }

    /// <summary>The test PostgreSQL. Missing it is a failure, never a skip.</summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("NEON_TENANCY_TEST_POSTGRES is not set: run the tests with `bash eng/test.sh`, which starts PostgreSQL.");

    public Task<CreateProjectResponse> CreateProjectAsync(string name = "tenant", Action<ProjectCreateRequestProject>? configure = null)
    {
        var project = new ProjectCreateRequestProject { Name = name };
        configure?.Invoke(project);
        return Client.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = project });
    }

    /// <summary>A raw call, for statuses the placeholder runtime does not expose.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> RawAsync(HttpMethod method, string path, string? json = null,
        string? requestId = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (requestId is not null)
        {
            request.Headers.Add("X-Request-ID", requestId);
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body, response);
    }

    /// <summary>Turns a <c>postgresql://</c> URI into an Npgsql connection string.</summary>
    public static string ToNpgsql(string uri)
    {
        var parsed = new Uri(uri);
        var userInfo = parsed.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = parsed.Host,
            Port = parsed.Port,
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = Uri.UnescapeDataString(userInfo[1]),
            Database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/')),
            Pooling = false,
            Timeout = 5,
        }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    private sealed class FixedOptionsMonitor(NeonApiOptions value) : IOptionsMonitor<NeonApiOptions>
    {
        public NeonApiOptions CurrentValue => value;

        public NeonApiOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<NeonApiOptions, string?> listener) => null;
    }
}
