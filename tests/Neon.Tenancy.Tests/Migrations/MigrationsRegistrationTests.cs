using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Migrations;

public sealed class MigrationsRegistrationTests
{
    [Fact]
    public async Task AddTenantMigrator_RegistersTheMigrator_AndProvisionsThroughIt_UnlessAnInitializerIsRegistered()
    {
        var migrator = new ScriptMigrator("SELECT 1");
        using var host = TenancyTestHost.Build(new() { ["NeonTenancy:Migrations:Deferral"] = "Idle" }, b => b.AddTenantMigrator(_ => migrator));
        await host.StartAsync();

        Assert.Same(migrator, host.Services.GetRequiredService<ITenantMigrator>());
        Assert.IsType<MigratorInitializer>(host.Services.GetRequiredService<ITenantDatabaseInitializer>());
        Assert.Equal(1, host.Services.GetRequiredService<ITenantMigrations>().TargetVersion);
        Assert.Equal(TenantMigrationDeferral.Idle, host.Services.GetRequiredService<IOptions<TenantMigrationOptions>>().Value.Deferral);
        Assert.IsType<InMemoryFleetLedger>(host.Services.GetRequiredService<IFleetLedger>());
        await host.StopAsync();

        using var own = TenancyTestHost.Build([], b =>
        {
            b.Services.AddSingleton<ITenantDatabaseInitializer, OwnInitializer>();
            b.AddTenantMigrator<NoMigrations>();
        });
        Assert.IsType<OwnInitializer>(own.Services.GetRequiredService<ITenantDatabaseInitializer>());
        Assert.IsType<NoMigrations>(own.Services.GetRequiredService<ITenantMigrator>());
    }

    [Theory]
    [InlineData("NeonTenancy:Migrations:Timeout", "00:00:00", "NeonTenancy:Migrations:Timeout must be between")]
    [InlineData("NeonTenancy:Migrations:Deferral", "7", "NeonTenancy:Migrations:Deferral must be None, Idle or All")]
    public async Task AddNeonTenancy_BadMigrationsSetting_FailsAtStartNamingTheSetting(string key, string value, string expected)
    {
        using var host = TenancyTestHost.Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private sealed class OwnInitializer : ITenantDatabaseInitializer
    {
        public Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken) => Task.FromResult(0);
    }

    private sealed class NoMigrations : ITenantMigrator
    {
        public int TargetVersion => 0;

        public Task<int> MigrateAsync(TenantMigrationContext context, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
