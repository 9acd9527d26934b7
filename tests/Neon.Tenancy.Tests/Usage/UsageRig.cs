using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using NSubstitute;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>
/// The real AddNeonTenancy registration with an in-memory catalog, pointed at a fake Neon on fake time, with a
/// substitute <see cref="IPlanLimits"/> and a <see cref="ConsumptionGate"/> in front of every consumption call (open
/// unless a test closes it).
/// </summary>
internal sealed class UsageRig : IAsyncDisposable
{
    public const string ConsumptionRoute = "GET consumption_history/v2/projects";
    public const string ProjectRoute = "GET projects/{project_id}";

    private UsageRig(NeonFakeServer fake, FakeTimeProvider time, ServiceProvider services, IPlanLimits plans, ConsumptionGate gate)
    {
        (Fake, Time, Services, Plans, Gate) = (fake, time, services, plans, gate);
    }

    public NeonFakeServer Fake { get; }

    public FakeTimeProvider Time { get; }

    public ServiceProvider Services { get; }

    public IPlanLimits Plans { get; }

    /// <summary>Every consumption call passes through it; <see cref="ConsumptionGate.Close"/> holds them.</summary>
    public ConsumptionGate Gate { get; }

    /// <summary>The tenants <see cref="StartAsync"/> created, each with its own project on the fake.</summary>
    public List<(TenantId Tenant, string ProjectId)> Tenants { get; } = [];

    public DateTimeOffset Now => Time.GetUtcNow();

    public IUsageClient Usage => Services.GetRequiredService<IUsageClient>();

    public ITenantCatalog Catalog => Services.GetRequiredService<ITenantCatalog>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Consumption calls the fake answered.</summary>
    public int ConsumptionCalls => Calls(ConsumptionRoute);

    public int Calls(string route) => Fake.CallsPerRoute.GetValueOrDefault(route);

    /// <summary>A daily history request for the last day of one tenant.</summary>
    public UsageHistoryRequest LastDay(TenantId tenant) => UsageHistoryRequest.ForTenant(tenant, Now.AddDays(-1), Now);

    /// <summary>Starts the rig with <paramref name="tenants"/> ready tenants (<see cref="Tenants"/>), named t00000, t00001, ...</summary>
    public static async Task<UsageRig> StartAsync(int tenants = 0, Action<NeonApiOptions>? api = null, Action<TenantUsageOptions>? usage = null, Action<IServiceCollection>? configure = null)
    {
        var rig = Create(api, usage, configure);
        rig.Tenants.AddRange(await rig.AddTenantsAsync(tenants));
        return rig;
    }

    public static UsageRig Create(Action<NeonApiOptions>? api = null, Action<TenantUsageOptions>? usage = null, Action<IServiceCollection>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 30, 0, TimeSpan.Zero));
        var fake = NeonFakeServer.Start(new NeonFakeServerOptions { TimeProvider = time, OperationDuration = TimeSpan.Zero });
        var plans = Substitute.For<IPlanLimits>();
        var gate = new ConsumptionGate();
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
        services.AddHttpClient(NeonApiClient.HttpClientName).AddHttpMessageHandler(gate.CreateHandler);
        if (usage is not null)
        {
            builder.ConfigureUsage(usage);
        }

        configure?.Invoke(services);
        return new UsageRig(fake, time, services.BuildServiceProvider(), plans, gate);
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
        Gate.Open();
        await Services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
