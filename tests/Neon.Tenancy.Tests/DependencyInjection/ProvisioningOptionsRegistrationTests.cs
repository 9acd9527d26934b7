using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.DependencyInjection;

public sealed class ProvisioningOptionsRegistrationTests
{
    private static IHost BuildHost(Dictionary<string, string?> extra, Action<INeonTenancyBuilder>? configure = null) => TenancyTestHost.Build(extra, configure);

    [Fact]
    public async Task AddNeonTenancy_ProvisioningSection_BindsEveryOption()
    {
        using var host = BuildHost(new()
        {
            ["NeonTenancy:Provisioning:DefaultDatabaseName"] = "appdb",
            ["NeonTenancy:Provisioning:DefaultRoleName"] = "appdb_owner",
            ["NeonTenancy:Provisioning:ApplicationRoleName"] = "app_user",
            ["NeonTenancy:Provisioning:SslMode"] = "VerifyFull",
            ["NeonTenancy:Provisioning:OperationTimeout"] = "00:02:00",
            ["NeonTenancy:Provisioning:RecoveryWindow"] = "1.00:00:00",
        });
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<TenantProvisioningOptions>>().Value;

        Assert.Equal("appdb", options.DefaultDatabaseName);
        Assert.Equal("appdb_owner", options.DefaultRoleName);
        Assert.Equal("app_user", options.ApplicationRoleName);
        Assert.Equal(Npgsql.SslMode.VerifyFull, options.SslMode);
        Assert.Equal(TimeSpan.FromMinutes(2), options.OperationTimeout);
        Assert.Equal(TimeSpan.FromDays(1), options.RecoveryWindow);
        Assert.NotNull(host.Services.GetRequiredService<ITenantDatabaseProvider>());
        await host.StopAsync();
    }

    [Fact]
    public async Task ConfigureProvisioning_OverridesConfiguration()
    {
        using var host = BuildHost(
            new() { ["NeonTenancy:Provisioning:ApplicationRoleName"] = "from_config" },
            b => b.ConfigureProvisioning(o => o.ApplicationRoleName = "from_code"));
        await host.StartAsync();

        Assert.Equal("from_code", host.Services.GetRequiredService<IOptions<TenantProvisioningOptions>>().Value.ApplicationRoleName);
        await host.StopAsync();
    }

    [Fact]
    public async Task ConfigureProvisioning_InvalidValueInCode_FailsAtStart()
    {
        using var host = BuildHost([], b => b.ConfigureProvisioning(o => o.RecoveryWindow = TimeSpan.Zero));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("NeonTenancy:Provisioning:RecoveryWindow must be greater than zero", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DefaultDatabaseName", "", "NeonTenancy:Provisioning:DefaultDatabaseName must be 1 to 63 characters")]
    [InlineData("DefaultDatabaseName", "1db", "NeonTenancy:Provisioning:DefaultDatabaseName must be 1 to 63 characters")]
    [InlineData("DefaultDatabaseName", "db;drop", "NeonTenancy:Provisioning:DefaultDatabaseName must be 1 to 63 characters")]
    [InlineData("DefaultRoleName", "pg_owner", "NeonTenancy:Provisioning:DefaultRoleName must not be a name PostgreSQL or Neon reserves (pg_*, neon_*,")]
    [InlineData("DefaultRoleName", "a\"b", "NeonTenancy:Provisioning:DefaultRoleName must be")]
    [InlineData("ApplicationRoleName", "this_role_name_is_far_too_long_for_postgres_which_allows_63_bytes", "NeonTenancy:Provisioning:ApplicationRoleName must be")]
    [InlineData("ApplicationRoleName", "neondb_owner", "NeonTenancy:Provisioning:ApplicationRoleName must differ from NeonTenancy:Provisioning:DefaultRoleName")]
    [InlineData("RecoveryWindow", "00:00:00", "NeonTenancy:Provisioning:RecoveryWindow must be greater than zero")]
    [InlineData("RecoveryWindow", "-1.00:00:00", "NeonTenancy:Provisioning:RecoveryWindow must be greater than zero")]
    [InlineData("OperationTimeout", "00:00:00", "NeonTenancy:Provisioning:OperationTimeout must be greater than zero when set")]
    public async Task AddNeonTenancy_BadProvisioningSetting_FailsAtStartNamingTheSetting(string setting, string value, string expected)
    {
        using var host = BuildHost(new() { ["NeonTenancy:Provisioning:" + setting] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_SslModeOutOfRange_NamesTheSetting()
    {
        var result = new TenantProvisioningOptionsValidator().Validate(null, new TenantProvisioningOptions { SslMode = (Npgsql.SslMode)42 });

        Assert.True(result.Failed);
        Assert.Contains("NeonTenancy:Provisioning:SslMode", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_Defaults_Pass()
    {
        Assert.True(new TenantProvisioningOptionsValidator().Validate(null, new TenantProvisioningOptions()).Succeeded);
        Assert.True(new TenantProvisioningOptionsValidator().Validate(null, new TenantProvisioningOptions { ApplicationRoleName = "app-rw_1" }).Succeeded);
    }
}
