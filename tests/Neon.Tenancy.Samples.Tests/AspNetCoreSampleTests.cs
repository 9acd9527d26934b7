using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Samples.AspNetCore;
using OpenTelemetry.Trace;

namespace Neon.Tenancy.Samples.Tests;

/// <summary>Boots the ASP.NET Core sample in process, against the Neon fake backed by the tests' PostgreSQL.</summary>
public sealed class SampleApp : WebApplicationFactory<Program>
{
    public const string PostgresVariable = "NEON_TENANCY_TEST_POSTGRES";

    public bool ConsoleTelemetry { get; init; }

    /// <summary>Extra configuration for one test's app (host settings, applied last).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Missing PostgreSQL is a failure, never a skip: run the tests through `bash eng/test.sh`.
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{PostgresVariable} is not set: run the tests with `bash eng/test.sh`, which starts a PostgreSQL server and sets it.");
        builder.UseSetting("NEON_API_KEY", "");
        builder.UseSetting("Sample:Postgres", postgres);
        builder.UseSetting("Sample:ConsoleTelemetry", ConsoleTelemetry ? "true" : "false");
        builder.UseSetting("NeonTenancy:Api:OperationPollInterval", "00:00:00.050");
        foreach (var (key, setting) in Settings)
        {
            builder.UseSetting(key, setting);
        }
    }
}

public sealed class AspNetCoreSampleTests(SampleAppFixture fixture) : IClassFixture<SampleAppFixture>
{
    private readonly SampleApp _app = fixture.App;

    private HttpClient Client(string? tenant)
    {
        var client = _app.CreateClient();
        if (tenant is not null)
        {
            client.DefaultRequestHeaders.Add("X-Tenant-Id", tenant);
        }

        return client;
    }

    [Fact]
    public async Task TwoTenants_SignUpAndWrite_EachSeesOnlyItsOwnNotesAndTodos()
    {
        using var anonymous = Client(null);
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/tenants/acme", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/tenants/globex", null)).StatusCode);
        using var acme = Client("acme");
        using var globex = Client("globex");

        (await acme.PostAsJsonAsync("/notes", new NewNote("acme note 1"))).EnsureSuccessStatusCode();
        (await acme.PostAsJsonAsync("/notes", new NewNote("acme note 2"))).EnsureSuccessStatusCode();
        (await globex.PostAsJsonAsync("/notes", new NewNote("globex note"))).EnsureSuccessStatusCode();
        (await acme.PostAsJsonAsync("/todos", new NewTodo("acme todo"))).EnsureSuccessStatusCode();
        (await globex.PostAsJsonAsync("/todos", new NewTodo("globex todo 1"))).EnsureSuccessStatusCode();
        (await globex.PostAsJsonAsync("/todos", new NewTodo("globex todo 2"))).EnsureSuccessStatusCode();

        Assert.Equal(["acme note 1", "acme note 2"], (await acme.GetFromJsonAsync<Note[]>("/notes"))!.Select(n => n.Body));
        Assert.Equal(["globex note"], (await globex.GetFromJsonAsync<Note[]>("/notes"))!.Select(n => n.Body));
        Assert.Equal(["acme todo"], (await acme.GetFromJsonAsync<Todo[]>("/todos"))!.Select(t => t.Title));
        Assert.Equal(["globex todo 1", "globex todo 2"], (await globex.GetFromJsonAsync<Todo[]>("/todos"))!.Select(t => t.Title));
    }

    [Fact]
    public async Task TenantFromTheHostName_WhenNoHeader()
    {
        using var anonymous = Client(null);
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync("/tenants/initech", null)).StatusCode);
        using var byHost = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://initech.example.com") });

        (await byHost.PostAsJsonAsync("/notes", new NewNote("by host"))).EnsureSuccessStatusCode();

        using var byHeader = Client("initech");
        Assert.Equal(["by host"], (await byHeader.GetFromJsonAsync<Note[]>("/notes"))!.Select(n => n.Body));
    }

    [Theory]
    [InlineData("/notes")]
    [InlineData("/todos")]
    public async Task UnknownTenant_Answers404ProblemDetails(string path)
    {
        using var client = Client("nobody-here");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("Unknown tenant", problem!.Title);
        Assert.Contains("nobody-here", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTenant_Answers400ProblemDetails()
    {
        using var client = Client(null);

        var response = await client.GetAsync("/notes");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Tenant-Id", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedTenantId_Answers400()
    {
        using var client = Client("Not_A_Tenant!");

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/todos")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/tenants/Not_A_Tenant!", null)).StatusCode);
    }

    [Fact]
    public async Task Health_IsHealthy()
    {
        using var client = Client(null);

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void ConsoleTelemetry_OffByDefault()
    {
        Assert.Null(_app.Services.GetService<TracerProvider>());
    }
}

public sealed class SampleTelemetryTests
{
    [Fact]
    public async Task ConsoleTelemetry_On_RegistersOpenTelemetryTracingAndMetrics()
    {
        await using var app = new SampleApp { ConsoleTelemetry = true };
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
    }
}

public sealed class SampleAppFixture : IAsyncLifetime
{
    public SampleApp App { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await App.DisposeAsync();
}
