using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using NSubstitute;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>The real AddNeonTenancy registration with an in-memory catalog, pointed at a fake Neon on fake time.</summary>
internal sealed class UsageRig : IAsyncDisposable
{
    public const string ConsumptionRoute = "GET consumption_history/v2/projects";
    public const string ProjectRoute = "GET projects/{project_id}";

    private UsageRig(NeonFakeServer fake, FakeTimeProvider time, ServiceProvider services, IPlanLimits plans)
    {
        Fake = fake;
        Time = time;
        Services = services;
        Plans = plans;
    }

    public NeonFakeServer Fake { get; }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public IPlanLimits Plans { get; }

    public IUsageClient Usage => Services.GetRequiredService<IUsageClient>();

    public ITenantCatalog Catalog => Services.GetRequiredService<ITenantCatalog>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public int Calls(string route) => Fake.CallsPerRoute.GetValueOrDefault(route);

    public static UsageRig Create(Action<NeonApiOptions>? api = null, Action<UsageOptions>? usage = null, Action<IServiceCollection>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 30, 0, TimeSpan.Zero));
        var fake = NeonFakeServer.Start(new NeonFakeServerOptions { TimeProvider = time, OperationDuration = TimeSpan.Zero });
        var plans = Substitute.For<IPlanLimits>();
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(plans);
        var builder = services
            .AddNeonTenancy(o => o.Secrets = SecretsTestData.Options("k1", ("k1", SecretsTestData.NewKey())))
            .ConfigureApi(o =>
            {
                fake.ConfigureApi(o);
                api?.Invoke(o);
            })
            .UseInMemoryCatalog();
        if (usage is not null)
        {
            builder.ConfigureUsage(usage);
        }

        configure?.Invoke(services);
        return new UsageRig(fake, time, services.BuildServiceProvider(), plans);
    }

    /// <summary>Creates projects straight on the fake (raw HTTP, outside the client's rate budget) and tenants pointing at them.</summary>
    public async Task<List<(TenantId Tenant, string ProjectId)>> AddTenantsAsync(int count, string plan = "pro", string prefix = "t")
    {
        using var http = Fake.CreateClient();
        var result = new (TenantId, string)[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var tenant = TenantId.Parse($"{prefix}{i:D5}");
            using var response = await http.PostAsJsonAsync("projects", new { project = new { name = $"tenant-{tenant}" } }, ct);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var projectId = json.RootElement.GetProperty("project").GetProperty("id").GetString()!;
            var branchId = json.RootElement.GetProperty("branch").GetProperty("id").GetString()!;
            await AddTenantAsync(tenant, projectId, plan, branchId, ct);
            result[i] = (tenant, projectId);
        });
        return [.. result];
    }

    /// <summary>A tenant in the catalog; with a project it is ready and names the project (and its default branch, as provisioning stores it).</summary>
    public async Task AddTenantAsync(TenantId tenant, string? projectId, string plan = "pro", string? branchId = null, CancellationToken cancellationToken = default)
    {
        var record = (await Catalog.ReserveAsync(new TenantReservation { TenantId = tenant, Plan = plan }, cancellationToken)).Record;
        if (projectId is not null)
        {
            await Catalog.UpdateAsync(record with { ProjectId = projectId, BranchId = branchId, State = TenantState.Ready }, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
