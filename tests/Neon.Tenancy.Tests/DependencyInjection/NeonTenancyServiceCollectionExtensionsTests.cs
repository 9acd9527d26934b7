using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.DependencyInjection;

public sealed class NeonTenancyServiceCollectionExtensionsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly string Key = SecretsTestData.NewKey();

    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["NeonTenancy:ProjectNamePrefix"] = "app-",
        ["NeonTenancy:Secrets:CurrentKeyId"] = "k2",
        ["NeonTenancy:Secrets:Keys:k1"] = SecretsTestData.NewKey(),
        ["NeonTenancy:Secrets:Keys:k2"] = Key,
        ["NeonTenancy:Api:ApiKey"] = ApiKey,
        ["NeonTenancy:Api:BaseAddress"] = "https://neon.example.test/api/v2",
    };

    private const string ApiKey = "napi_TestKeyThatMustNeverLeak0123456789";

    private static IHost BuildHost(Dictionary<string, string?> settings, Action<INeonTenancyBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        configure(builder.Services.AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName)));
        return builder.Build();
    }

    [Fact]
    public async Task AddNeonTenancy_ValidConfigurationWithInMemoryCatalog_StartsAndWorks()
    {
        using var host = BuildHost(ValidSettings(), b => b.UseInMemoryCatalog());
        await host.StartAsync();

        var catalog = host.Services.GetRequiredService<ITenantCatalog>();
        var protector = host.Services.GetRequiredService<IConnectionSecretProtector>();
        var options = host.Services.GetRequiredService<IOptions<NeonTenancyOptions>>().Value;
        var id = TenantId.Parse("acme");
        var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = id, Plan = "free" })).Record;
        var stored = await catalog.UpdateAsync(record with { DirectConnectionSecret = protector.Protect(id, ConnectionSecretKind.Direct, "Host=x") });

        Assert.IsType<InMemoryTenantCatalog>(catalog);
        Assert.Equal("app-", options.ProjectNamePrefix);
        Assert.Equal("Host=x", protector.Unprotect(id, ConnectionSecretKind.Direct, stored.DirectConnectionSecret.Span));
        await host.StopAsync();
    }

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "NeonTenancy:Secrets:CurrentKeyId", null, "NeonTenancy:Secrets:CurrentKeyId is required" },
        { "NeonTenancy:Secrets:CurrentKeyId", "k9", "NeonTenancy:Secrets:CurrentKeyId names a key id that is not in NeonTenancy:Secrets:Keys" },
        { "NeonTenancy:Secrets:Keys:k2", "not base64!", "NeonTenancy:Secrets:Keys:k2 must be the base64 encoding of exactly 32 bytes" },
        { "NeonTenancy:Secrets:Keys:k2", Convert.ToBase64String(new byte[16]), "NeonTenancy:Secrets:Keys:k2 must be the base64 encoding of exactly 32 bytes" },
        { "NeonTenancy:Secrets:Keys:bad key", SecretsTestData.NewKey(), "NeonTenancy:Secrets:Keys has an invalid key id" },
        { "NeonTenancy:ProjectNamePrefix", "Tenant_", "NeonTenancy:ProjectNamePrefix must be" },
        { "NeonTenancy:ProjectNamePrefix", new string('p', 30), "NeonTenancy:ProjectNamePrefix must be at most 24 characters" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task StartAsync_BadOptions_FailsNamingTheSettingWithoutSecrets(string setting, string? value, string expected)
    {
        var settings = ValidSettings();
        settings[setting] = value;
        using var host = BuildHost(settings, b => b.UseInMemoryCatalog());

        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
        if (value is not null && setting.Contains(":Keys:", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(value, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartAsync_NoKeys_Fails()
    {
        var settings = new Dictionary<string, string?> { ["NeonTenancy:ProjectNamePrefix"] = "app-", ["NeonTenancy:Api:ApiKey"] = ApiKey };
        using var host = BuildHost(settings, b => b.UseInMemoryCatalog());

        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonTenancy:Secrets:Keys must list at least one key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:Secrets:CurrentKeyId is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NoCatalogChosen_FailsWithInstructions()
    {
        using var host = BuildHost(ValidSettings(), _ => { });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("UsePostgresCatalog() or UseInMemoryCatalog()", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NeonTenancy:Catalog:ConnectionString", null, "NeonTenancy:Catalog:ConnectionString is required")]
    [InlineData("NeonTenancy:Catalog:ConnectionString", "Host=x;Nonsense Key=1;Password=hunter2", "NeonTenancy:Catalog:ConnectionString is not a valid Npgsql connection string")]
    [InlineData("NeonTenancy:Catalog:Schema", "Bad-Schema", "NeonTenancy:Catalog:Schema must be")]
    [InlineData("NeonTenancy:Catalog:ListenerReconnectDelay", "00:00:00", "NeonTenancy:Catalog:ListenerReconnectDelay must be")]
    [InlineData("NeonTenancy:Catalog:ListenerKeepAliveInterval", "00:00:00.5", "NeonTenancy:Catalog:ListenerKeepAliveInterval must be")]
    public async Task StartAsync_BadPostgresCatalogOptions_FailsNamingTheSetting(string setting, string? value, string expected)
    {
        var settings = ValidSettings();
        settings["NeonTenancy:Catalog:ConnectionString"] = "Host=localhost;Password=hunter2";
        settings[setting] = value;
        using var host = BuildHost(settings, b => b.UsePostgresCatalog());

        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsePostgresCatalog_HostLifecycle_CreatesSchemaRunsListenerAndStopsCleanly()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        var settings = ValidSettings();
        settings["NeonTenancy:Catalog:Schema"] = schema;
        using var host = BuildHost(settings, b => b.UsePostgresCatalog(o => o.ConnectionString = database.ConnectionString));

        await host.StartAsync();
        var catalog = Assert.IsType<PostgresTenantCatalog>(host.Services.GetRequiredService<ITenantCatalog>());
        Assert.Same(catalog, host.Services.GetRequiredService<PostgresTenantCatalog>());
        Assert.Equal(new PostgresCatalogSql(schema).LatestVersion, await database.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        await catalog.WhenListeningAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var pid = catalog.ListenerProcessId!.Value;
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid));

        await host.StopAsync();

        Assert.Null(catalog.ListenerProcessId);
        host.Dispose();
        NpgsqlConnection.ClearAllPools();
    }

    [Fact]
    public async Task UsePostgresCatalog_ContainerDisposedBeforeStop_StopsWithoutResolvingServices()
    {
        var settings = ValidSettings();
        settings["NeonTenancy:Catalog:Schema"] = PostgresDatabaseFixture.NewSchema();
        using var host = BuildHost(settings, b => b.UsePostgresCatalog(o => o.ConnectionString = database.ConnectionString));
        await host.StartAsync();
        var catalog = host.Services.GetRequiredService<PostgresTenantCatalog>();
        await catalog.WhenListeningAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var hosted = host.Services.GetServices<IHostedService>().OfType<NeonTenancyHostedService>().Single();

        // As WebApplicationFactory can: the container goes first (disposing the catalog), the hosted services stop after.
        await ((IAsyncDisposable)host.Services).DisposeAsync();
        await hosted.StopAsync(CancellationToken.None);

        Assert.Null(catalog.ListenerProcessId);
        NpgsqlConnection.ClearAllPools();
    }

    [Fact]
    public async Task AddNeonTenancy_ApiSection_ConfiguresTheNeonApiClient()
    {
        using var host = BuildHost(ValidSettings(), b => b.UseInMemoryCatalog());
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptionsMonitor<Neon.Tenancy.Api.NeonApiOptions>>().CurrentValue;
        Assert.Equal(ApiKey, options.ApiKey);
        Assert.Equal(new Uri("https://neon.example.test/api/v2/"), options.BaseAddress);
        Assert.NotNull(host.Services.GetRequiredService<Neon.Tenancy.Api.NeonApiClient>());
        await host.StopAsync();
    }

    [Fact]
    public async Task StartAsync_NoApiKey_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings.Remove("NeonTenancy:Api:ApiKey");
        using var host = BuildHost(settings, b => b.UseInMemoryCatalog());

        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonApiOptions.ApiKey is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigureApi_OverridesTheApiSection()
    {
        using var host = BuildHost(ValidSettings(), b => b.UseInMemoryCatalog().ConfigureApi(o => o.OrgId = "org-bright-sun-1"));
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptionsMonitor<Neon.Tenancy.Api.NeonApiOptions>>().CurrentValue;
        Assert.Equal("org-bright-sun-1", options.OrgId);
        Assert.Equal(ApiKey, options.ApiKey);
        await host.StopAsync();
    }

    [Fact]
    public void UseInMemoryCatalog_AfterUsePostgresCatalog_ReplacesIt()
    {
        var services = new ServiceCollection();
        services.AddNeonTenancy(o => o.Secrets.CurrentKeyId = "k")
            .UsePostgresCatalog(o => o.ConnectionString = "Host=localhost")
            .UseInMemoryCatalog();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<InMemoryTenantCatalog>(provider.GetRequiredService<ITenantCatalog>());
        Assert.Null(provider.GetService<PostgresTenantCatalog>());
    }

    [Fact]
    public void AddNeonTenancy_CalledTwice_RegistersServicesOnce()
    {
        var services = new ServiceCollection();
        services.AddNeonTenancy(_ => { });
        services.AddNeonTenancy(_ => { });

        Assert.Single(services, d => d.ServiceType == typeof(IConnectionSecretProtector));
        Assert.Single(services, d => d.ImplementationType == typeof(NeonTenancyHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
    }
}
