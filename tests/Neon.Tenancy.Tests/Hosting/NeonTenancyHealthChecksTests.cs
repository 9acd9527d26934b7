using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;
using NSubstitute;
using Npgsql;

namespace Neon.Tenancy.Tests.Hosting;

public sealed class NeonTenancyHealthChecksTests : IAsyncLifetime
{
    private const string ListProjects = "GET projects";
    private static readonly TenantProvisionRequest Request = new() { Plan = "pro" };
    private NeonFakeServer _fake = null!;
    private readonly List<ProvisioningRig> _rigs = [];

    public Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var rig in _rigs)
        {
            await rig.DisposeAsync();
        }

        await _fake.DisposeAsync();
    }

    private ProvisioningRig Rig(string? catalogConnectionString = null, Action<IServiceCollection>? configure = null)
    {
        var rig = ProvisioningRig.Create(_fake, SecretsTestData.NewKey(), catalogConnectionString, configure: services =>
        {
            services.AddHealthChecks().AddNeonTenancy(tags: ["ready"], apiProbeInterval: TimeSpan.FromHours(1));
            services.Configure<NeonApiOptions>(o => o.Retry.MaxRetryAttempts = 0);
            configure?.Invoke(services);
        });
        _rigs.Add(rig);
        return rig;
    }

    private int ApiCalls => _fake.CallsPerRoute.TryGetValue(ListProjects, out var n) ? n : 0;

    [Fact]
    public async Task CheckHealthAsync_EverythingUp_HealthyWithThreeChecks_OneApiCallAndNoTenantProbed()
    {
        var rig = Rig();
        await rig.Provider.ProvisionAsync(TenantId.Parse("hc-one"), Request);
        await rig.Provider.ProvisionAsync(TenantId.Parse("hc-two"), Request);
        var apiCallsBefore = ApiCalls;
        var requestsBefore = _fake.RequestLog.Count;

        var report = await rig.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(["neon-tenancy-api", "neon-tenancy-catalog", "neon-tenancy-connections"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(report.Entries.Values, e => Assert.Contains("ready", e.Tags));
        Assert.All(report.Entries.Values, e => Assert.Contains("neon-tenancy", e.Tags));
        Assert.Equal(apiCallsBefore + 1, ApiCalls);
        Assert.Equal(requestsBefore + 1, _fake.RequestLog.Count);
        var factory = (TenantConnectionFactory)rig.Services.GetRequiredService<ITenantConnectionFactory>();
        Assert.Equal(0, factory.BuiltDataSources);
        Assert.Equal(1000, report.Entries["neon-tenancy-connections"].Data["cache_capacity"]);
    }

    [Fact]
    public async Task CheckHealthAsync_ProbedOftenWithinTheInterval_CallsTheNeonApiOnce()
    {
        var rig = Rig();
        var health = rig.Services.GetRequiredService<HealthCheckService>();
        var before = ApiCalls;

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => health.CheckHealthAsync()));
        await health.CheckHealthAsync();

        Assert.Equal(before + 1, ApiCalls);
    }

    [Fact]
    public async Task CheckHealthAsync_NeonApiFailing_DegradedWithStatusAndNoSecret()
    {
        var rig = Rig();
        _fake.Faults.Inject(ListProjects, NeonFault.ServiceUnavailable(), times: 5);

        var report = await rig.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, report.Status);
        var api = report.Entries["neon-tenancy-api"];
        Assert.Equal(HealthStatus.Degraded, api.Status);
        Assert.Contains("503", api.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.ApiKey, api.Description, StringComparison.Ordinal);
        Assert.Null(api.Exception);
        Assert.Equal(HealthStatus.Healthy, report.Entries["neon-tenancy-catalog"].Status);
    }

    [Fact]
    public async Task CheckHealthAsync_CatalogUnreachable_UnhealthyWithoutThePassword()
    {
        const string password = "not-the-password-4f1b";
        var bad = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Password = password, Timeout = 3 }.ConnectionString;
        var rig = Rig(bad);

        var report = await rig.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        var catalog = report.Entries["neon-tenancy-catalog"];
        Assert.Equal(HealthStatus.Unhealthy, catalog.Status);
        Assert.Contains("28P01", catalog.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(password, catalog.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, report.Entries["neon-tenancy-api"].Status);
    }

    [Fact]
    public async Task CheckHealthAsync_ConnectionBudgetSpent_ConnectionsDegraded()
    {
        var rig = Rig(configure: s => s.Configure<TenantConnectionOptions>(o =>
        {
            o.ConnectionBudget = 1;
            o.MaxPoolSize = 1;
        }));
        var tenant = TenantId.Parse("hc-busy");
        await rig.Provider.ProvisionAsync(tenant, Request);
        var health = rig.Services.GetRequiredService<HealthCheckService>();

        await using (await rig.Services.GetRequiredService<ITenantConnectionFactory>().OpenConnectionAsync(tenant))
        {
            var busy = (await health.CheckHealthAsync()).Entries["neon-tenancy-connections"];
            Assert.Equal(HealthStatus.Degraded, busy.Status);
            Assert.Contains("budget is spent", busy.Description, StringComparison.Ordinal);
            Assert.Equal(1, busy.Data["connection_budget_in_use"]);
            Assert.Equal(1, busy.Data["cached_data_sources"]);
        }
    }

    [Theory]
    [InlineData(null, 0, HealthStatus.Healthy, "no connection budget")]
    [InlineData(10, 3, HealthStatus.Healthy, "3/10 of the connection budget in use")]
    [InlineData(10, 10, HealthStatus.Degraded, "The connection budget is spent")]
    public async Task TenantConnectionsHealthCheck_ReadsTheRegisteredStats(int? budget, int inUse, HealthStatus expected, string description)
    {
        var stats = NSubstitute.Substitute.For<ITenantConnectionStats>();
        stats.CachedDataSources.Returns(4);
        stats.CacheCapacity.Returns(100);
        stats.AliveDataSources.Returns(5);
        stats.ConnectionBudget.Returns(budget);
        stats.ConnectionBudgetInUse.Returns(inUse);
        var registration = new HealthCheckRegistration("neon-tenancy-connections", new TenantConnectionsHealthCheck(stats), HealthStatus.Degraded, null);

        var result = await new TenantConnectionsHealthCheck(stats).CheckHealthAsync(new HealthCheckContext { Registration = registration });

        Assert.Equal(expected, result.Status);
        Assert.Contains(description, result.Description, StringComparison.Ordinal);
        Assert.Contains("4/100 data sources cached (5 alive)", result.Description, StringComparison.Ordinal);
        Assert.Equal(budget is not null, result.Data.ContainsKey("connection_budget"));
    }

    [Fact]
    public void AddNeonTenancy_RegistersTheFactoryAsTheHealthChecksStats()
    {
        var rig = Rig();

        Assert.Same(rig.Services.GetRequiredService<ITenantConnectionFactory>(), rig.Services.GetRequiredService<ITenantConnectionStats>());
    }

    [Fact]
    public async Task NeonApiProbe_AfterTheInterval_CallsAgain()
    {
        var rig = Rig();
        var time = new FakeTimeProvider();
        var probe = new NeonApiProbe(rig.Api, rig.Services.GetRequiredService<IOptions<NeonApiOptions>>(), time, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

        await probe.CheckAsync(HealthStatus.Degraded);
        time.Advance(TimeSpan.FromSeconds(29));
        await probe.CheckAsync(HealthStatus.Degraded);
        Assert.Equal(1, probe.Calls);

        time.Advance(TimeSpan.FromSeconds(2));
        var result = await probe.CheckAsync(HealthStatus.Degraded);

        Assert.Equal(2, probe.Calls);
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public void AddNeonTenancy_ProbeIntervalOutOfRange_ThrowsNamingTheParameter()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddHealthChecks().AddNeonTenancy(apiProbeInterval: TimeSpan.Zero));

        Assert.Equal("apiProbeInterval", ex.ParamName);
    }
}
