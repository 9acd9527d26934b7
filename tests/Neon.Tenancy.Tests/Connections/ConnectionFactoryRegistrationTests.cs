using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Connections;

public sealed class ConnectionFactoryRegistrationTests
{
    private static IHost BuildHost(Dictionary<string, string?> extra) => TenancyTestHost.Build(extra);

    [Fact]
    public async Task AddNeonTenancy_ConnectionsSection_RegistersOneFactoryWithBoundOptions()
    {
        using var host = BuildHost(new() { ["NeonTenancy:Connections:Capacity"] = "50", ["NeonTenancy:Connections:ConnectionBudget"] = "40" });
        await host.StartAsync();

        var factory = host.Services.GetRequiredService<ITenantConnectionFactory>();
        var options = host.Services.GetRequiredService<IOptions<TenantConnectionOptions>>().Value;

        Assert.Same(factory, host.Services.GetRequiredService<ITenantConnectionFactory>());
        Assert.IsType<TenantConnectionFactory>(factory);
        Assert.Equal(50, options.Capacity);
        Assert.Equal(40, options.ConnectionBudget);
        await Assert.ThrowsAsync<TenantNotFoundException>(async () => await factory.OpenConnectionAsync(TenantId.Parse("nobody")));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("NeonTenancy:Connections:Capacity", "1", "NeonTenancy:Connections:Capacity must be between 3 and 1000000")]
    [InlineData("NeonTenancy:Connections:ConnectionBudget", "-1", "NeonTenancy:Connections:ConnectionBudget must be between 0 and 100000")]
    [InlineData("NeonTenancy:Connections:ConnectionIdleLifetime", "00:05:00", "NeonTenancy:Connections:ConnectionIdleLifetime plus its pruning interval")]
    [InlineData("NeonTenancy:Connections:OpenDeadline", "00:10:00", "NeonTenancy:Connections:FirstOpenDeadline must be at least")]
    [InlineData("NeonTenancy:Connections:IdleExpiry", "00:00:00", "NeonTenancy:Connections:IdleExpiry must be between")]
    public async Task AddNeonTenancy_BadConnectionsSetting_FailsAtStartNamingTheSetting(string key, string value, string expected)
    {
        using var host = BuildHost(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddNeonTenancy_ConnectionBudgetZero_StartsWithoutAGlobalBudget()
    {
        using var host = BuildHost(new() { ["NeonTenancy:Connections:ConnectionBudget"] = "0" });
        await host.StartAsync();

        var factory = Assert.IsType<TenantConnectionFactory>(host.Services.GetRequiredService<ITenantConnectionFactory>());

        Assert.False(factory.CountsOpens);
        Assert.Null(host.Services.GetRequiredService<ITenantConnectionStats>().ConnectionBudget);
        await host.StopAsync();
    }

    [Fact]
    public void ConfigureConnections_OverridesTheBoundOptions()
    {
        var services = new ServiceCollection();
        services.AddNeonTenancy(o => o.Secrets = SecretsTestData.Options("k1", ("k1", SecretsTestData.NewKey())))
            .UseInMemoryCatalog()
            .ConfigureConnections(o => o.MaxPoolSize = 3);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(3, provider.GetRequiredService<IOptions<TenantConnectionOptions>>().Value.MaxPoolSize);
    }
}
