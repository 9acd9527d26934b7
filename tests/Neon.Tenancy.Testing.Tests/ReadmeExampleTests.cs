// The quick start of src/Neon.Tenancy.Testing/README.md, compiled and run as a test: keep the two identical.
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;

namespace MyApp.Tests;

public sealed class TenantProvisioningTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private NeonFakeServer _neon = null!;
    private HttpClient _http = null!;
    private NeonApiClient _client = null!;

    public Task InitializeAsync()
    {
        _neon = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            TimeProvider = _time,                              // operations progress when the test advances time
            OperationDuration = TimeSpan.FromSeconds(2),
            PostgresConnectionString = Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES"), // optional
        });
        _http = _neon.CreateClient();                          // base address + bearer API key
        _client = new NeonApiClient(_http, new StaticOptions(new NeonApiOptions()), _time);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Provisioning_IsLockedWhileOperationsRun()
    {
        var created = await _client.Projects.CreateProjectAsync(new ProjectCreateRequest
        {
            Project = new ProjectCreateRequestProject { Name = "tenant-42" },
        });

        // Neon answers 423 while the project's operations run ...
        await Assert.ThrowsAnyAsync<NeonApiException>(() => _client.Projects.UpdateProjectAsync(created.Project.Id,
            new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject { Name = "renamed" } }));

        // ... and accepts the change once they have finished.
        _time.Advance(TimeSpan.FromSeconds(2));
        var updated = await _client.Projects.UpdateProjectAsync(created.Project.Id,
            new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject { Name = "renamed" } });

        Assert.Equal("renamed", updated.Project.Name);
        Assert.Equal(2, _neon.CallsPerRoute["PATCH projects/{project_id}"]);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _neon.DisposeAsync();                            // also drops the PostgreSQL databases and roles it made
    }

    private sealed class StaticOptions(NeonApiOptions value) : IOptionsMonitor<NeonApiOptions>
    {
        public NeonApiOptions CurrentValue => value;

        public NeonApiOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<NeonApiOptions, string?> listener) => null;
    }
}
