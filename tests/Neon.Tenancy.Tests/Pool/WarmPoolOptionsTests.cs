using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;
using NSubstitute;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>What <c>AddNeonTenancy</c> registers for the warm pool, how <c>NeonTenancy:WarmPool</c> binds, and what it refuses at start.</summary>
public sealed class WarmPoolOptionsTests
{
    private static void TwoPlans(INeonTenancyBuilder builder) => builder.ConfigurePlans(o =>
    {
        o.DefaultPlan = "free";
        o.Plans["free"] = new TenantPlan();
        o.Plans["pro"] = new TenantPlan { MinComputeUnits = 0.25, MaxComputeUnits = 2 };
    });

    [Fact]
    public void AddNeonTenancy_WarmPoolSection_BindsEveryOption_AndConfigureWarmPoolOverrides()
    {
        using var host = TenancyTestHost.Build(new()
        {
            ["NeonTenancy:WarmPool:Size"] = "3",
            ["NeonTenancy:WarmPool:Regions:aws-eu-central-1"] = "5",
            ["NeonTenancy:WarmPool:Plans:0"] = "pro",
            ["NeonTenancy:WarmPool:MaxAge"] = "2.00:00:00",
            ["NeonTenancy:WarmPool:ReplenishInterval"] = "00:01:00",
            ["NeonTenancy:WarmPool:ReplenishParallelism"] = "4",
        }, b =>
        {
            TwoPlans(b);
            b.ConfigureWarmPool(o => o.ReplenishParallelism = 6);
        });

        var options = host.Services.GetRequiredService<IOptions<WarmPoolOptions>>().Value;

        Assert.Equal(3, options.Size);
        Assert.Equal(5, options.Regions["aws-eu-central-1"]);
        Assert.Equal(["pro"], options.Plans);
        Assert.Equal(TimeSpan.FromDays(2), options.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(1), options.ReplenishInterval);
        Assert.Equal(6, options.ReplenishParallelism);
        Assert.IsType<TenantWarmPool>(host.Services.GetRequiredService<ITenantWarmPool>());
        Assert.Contains(host.Services.GetServices<IHostedService>(), s => s is WarmPoolReplenisher);
        var layout = host.Services.GetRequiredService<WarmPoolLayout>();
        Assert.Equal([new WarmPoolKey("", "pro"), new WarmPoolKey("aws-eu-central-1", "pro")], layout.Pools);
    }

    [Fact]
    public async Task Start_BadWarmPoolSettings_FailsWithAMessageNamingEachSetting()
    {
        using var host = TenancyTestHost.Build(new()
        {
            ["NeonTenancy:WarmPool:Size"] = "2",
            ["NeonTenancy:WarmPool:Regions:AWS_EU"] = "1",
            ["NeonTenancy:WarmPool:Regions:aws-us-east-1"] = "5000",
            ["NeonTenancy:WarmPool:Regions:aws-us-west-2"] = "-1",
            ["NeonTenancy:WarmPool:Plans:0"] = "gold",
            ["NeonTenancy:WarmPool:Plans:1"] = "free",
            ["NeonTenancy:WarmPool:Plans:2"] = "FREE",
            ["NeonTenancy:WarmPool:ReplenishParallelism"] = "0",
            ["NeonTenancy:WarmPool:MaxAge"] = "00:10:00",
        }, TwoPlans);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonTenancy:WarmPool:Regions:AWS_EU must be a Neon region id", error.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:WarmPool:Regions:aws-us-east-1 must be between 0 and 1000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:WarmPool:Regions:aws-us-west-2 must be between 0 and 1000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:WarmPool:Plans names 'gold', which is not a configured plan (NeonTenancy:Plans:Plans: free, pro).", error.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:WarmPool:Plans names 'FREE' twice.", error.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:WarmPool:ReplenishParallelism must be between 1 and 16.", error.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:WarmPool:MaxAge must be between 01:00:00 and 365.00:00:00.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SizeOutOfRange_FailsNamingTheSetting()
    {
        using var host = TenancyTestHost.Build(new() { ["NeonTenancy:WarmPool:Size"] = "1001" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonTenancy:WarmPool:Size must be between 0 and 1000.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PoolPlansWithoutConfiguredPlans_Fails()
    {
        using var host = TenancyTestHost.Build(new() { ["NeonTenancy:WarmPool:Plans:0"] = "free" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonTenancy:WarmPool:Plans names 'free', which is not a configured plan (NeonTenancy:Plans:Plans is empty).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PoolOnWithACustomCatalog_FailsNamingTheSettingAndTheChoices()
    {
        using var host = TenancyTestHost.Build(new() { ["NeonTenancy:WarmPool:Size"] = "2" },
            b => b.Services.AddSingleton(Substitute.For<ITenantCatalog>()));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonTenancy:WarmPool:Size and NeonTenancy:WarmPool:Regions set a pool size, but the registered catalog cannot hold the pool", error.Message, StringComparison.Ordinal);
        Assert.Contains("UsePostgresCatalog() or UseInMemoryCatalog()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoolOff_WithACustomCatalog_StartsAndThePoolIsEmptyAndDoesNothing()
    {
        var catalog = Substitute.For<ITenantCatalog>();
        using var host = TenancyTestHost.Build([], b => b.Services.AddSingleton(catalog));
        await host.StartAsync();
        var pool = host.Services.GetRequiredService<ITenantWarmPool>();
        var calls = catalog.ReceivedCalls().Count(); // the host's own (the change feed's subscription)

        Assert.Empty(await pool.GetStatusAsync());
        var result = await pool.ReplenishAsync();
        Assert.False(result.Ran);
        Assert.Empty(result.Pools);
        Assert.Equal(calls, catalog.ReceivedCalls().Count());
        await host.StopAsync();
    }
}
