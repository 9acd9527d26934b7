// The quick start of src/Neon.Tenancy.Testing/README.md, compiled and run as a test: keep the two identical.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Api.Models;
using Neon.Tenancy.Testing;

namespace MyApp.Tests;

public sealed class TenantProvisioningTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private NeonFakeServer _neon = null!;
    private ServiceProvider _services = null!;
    private NeonApiClient _client = null!;

    public Task InitializeAsync()
    {
        _neon = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            TimeProvider = _time,                              // operations progress when the test advances time
            OperationDuration = TimeSpan.FromSeconds(2),
            PostgresConnectionString = Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES"), // optional
        });

        // The real client and pipeline, pointed at the fake.
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddNeonApiClient(options =>
        {
            _neon.ConfigureApi(options);                       // base address, API key, org id
            options.Retry.MaxRetryAttempts = 0;                // see each 423 instead of retrying it
        });
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<NeonApiClient>();
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
        await Assert.ThrowsAsync<NeonLockedException>(() => _client.Projects.UpdateProjectAsync(created.Project.Id,
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
        await _services.DisposeAsync();
        await _neon.DisposeAsync();                            // also drops the PostgreSQL databases and roles it made
    }
}
