using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Infrastructure;

/// <summary>
/// The smallest configuration <c>AddNeonTenancy</c> starts with (a one-key ring and an API key) and a host built from
/// it, for tests of what configuration registers and what it rejects; and the whole host a user runs, over a fake Neon.
/// </summary>
internal static class TenancyTestHost
{
    /// <summary>The required settings, each key prefixed (<c>"NeonTenancy:"</c> for a whole configuration, empty for the section itself), plus <paramref name="extra"/>.</summary>
    public static Dictionary<string, string?> Settings(string prefix, IEnumerable<KeyValuePair<string, string?>>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [prefix + "Secrets:CurrentKeyId"] = "k1",
            [prefix + "Secrets:Keys:k1"] = SecretsTestData.NewKey(),
            [prefix + "Api:ApiKey"] = "napi_TestKey0123456789",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// A service provider with <c>AddNeonTenancy</c> in code (a one-key ring, an API key) and logging; <paramref name="configure"/>
    /// chooses the catalog and the rest. For tests of what a registration picks.
    /// </summary>
    public static ServiceProvider Services(Action<IServiceCollection, INeonTenancyBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddNeonTenancy(o => o.Secrets = SecretsTestData.Options("k1", ("k1", SecretsTestData.NewKey())))
            .ConfigureApi(o => o.ApiKey = "test-key");
        configure(services, builder);
        return services.BuildServiceProvider();
    }

    /// <summary>A host with <c>AddNeonTenancy(section).UseInMemoryCatalog()</c> over the required settings and <paramref name="extra"/> (full keys).</summary>
    public static IHost Build(Dictionary<string, string?> extra, Action<INeonTenancyBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(NeonTenancyOptions.SectionName + ":", extra));
        var tenancy = builder.Services.AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName)).UseInMemoryCatalog();
        configure?.Invoke(tenancy);
        return builder.Build();
    }

    /// <summary>
    /// The host a user runs: <c>AddNeonTenancy(section).UsePostgresCatalog()</c> from configuration (a one-key ring, the
    /// catalog in a fresh schema of <paramref name="catalogConnectionString"/>), its API pointed at <paramref name="fake"/>.
    /// <paramref name="configure"/> runs before <c>AddNeonTenancy</c> (services a test adds, logging).
    /// </summary>
    public static IHost BuildOverFake(NeonFakeServer fake, string catalogConnectionString, string projectNamePrefix, string? applicationRoleName,
        Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NeonTenancy:ProjectNamePrefix"] = projectNamePrefix,
            ["NeonTenancy:Secrets:CurrentKeyId"] = "k1",
            ["NeonTenancy:Secrets:Keys:k1"] = SecretsTestData.NewKey(),
            ["NeonTenancy:Catalog:ConnectionString"] = catalogConnectionString,
            ["NeonTenancy:Catalog:Schema"] = PostgresDatabaseFixture.NewSchema(),
            ["NeonTenancy:Provisioning:ApplicationRoleName"] = applicationRoleName,
        });
        configure?.Invoke(builder);
        builder.Services.AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName))
            .UsePostgresCatalog()
            .ConfigureApi(o =>
            {
                fake.ConfigureApi(o);
                o.OperationPollInterval = TimeSpan.FromMilliseconds(20);
            });
        return builder.Build();
    }
}
