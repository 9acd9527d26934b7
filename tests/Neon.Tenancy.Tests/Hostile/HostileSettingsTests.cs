using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Tests.Hostile;

/// <summary>Settings a user can get wrong, in configuration: each fails at start naming the setting, never quoting a secret.</summary>
[Trait("Category", "Hostile")]
public sealed class HostileSettingsTests
{
    private static readonly string Key = SecretsTestData.NewKey();

    public static TheoryData<string, string, string> UnconvertibleSettings => new()
    {
        { "NeonTenancy:Connections:MaxPoolSize", "lots", "NeonTenancy:Connections:MaxPoolSize" },
        { "NeonTenancy:Connections:ConnectionRole", "Sometimes", "NeonTenancy:Connections:ConnectionRole" },
        { "NeonTenancy:Connections:IdleExpiry", "a while", "NeonTenancy:Connections:IdleExpiry" },
        { "NeonTenancy:Provisioning:SslMode", "Sometimes", "NeonTenancy:Provisioning:SslMode" },
        { "NeonTenancy:Provisioning:RecoveryWindow", "forever", "NeonTenancy:Provisioning:RecoveryWindow" },
        { "NeonTenancy:Usage:MaxConcurrency", "many", "NeonTenancy:Usage:MaxConcurrency" },
        { "NeonTenancy:Usage:Prices:ComputePerCuHour", "cheap", "NeonTenancy:Usage:Prices:ComputePerCuHour" },
        { "NeonTenancy:Plans:Plans:pro:MaxPoolSize", "huge", "NeonTenancy:Plans:Plans:pro:MaxPoolSize" },
        { "NeonTenancy:Catalog:ListenerReconnectDelay", "soon", "NeonTenancy:Catalog:ListenerReconnectDelay" },
        // A secret pasted into the wrong (typed) setting must not come back in the message.
        { "NeonTenancy:Api:Timeout", HostileSecrets.ApiKey, "NeonTenancy:Api:Timeout" },
        { "NeonTenancy:Api:Retry:MaxRetryAttempts", HostileSecrets.Password, "NeonTenancy:Api:Retry:MaxRetryAttempts" },
        { "NeonTenancy:Api:RateLimit:Enabled", HostileSecrets.ConnectionString, "NeonTenancy:Api:RateLimit:Enabled" },
    };

    [Theory]
    [MemberData(nameof(UnconvertibleSettings))]
    public async Task StartAsync_UnconvertibleValue_OptionsValidationExceptionNamingTheFullPathNotTheValue(string setting, string value, string expected)
    {
        using var host = BuildHost(setting, value);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected + " has a value that cannot be converted", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, ex.ToString(), StringComparison.Ordinal);
        Assert.Null(ex.InnerException);
        HostileSecrets.AssertNoSecret(ex, Key);
    }

    public static TheoryData<string, string, string> RejectedSettings => new()
    {
        { "NeonTenancy:Catalog:ListenerConnectionString", "Host=ep-hostile-1-pooler.us-east-2.aws.neon.tech;Database=neondb;Username=owner;Password=" + HostileSecrets.Password, "NeonTenancy:Catalog:ListenerConnectionString points at a Neon pooler host" },
        { "NeonTenancy:Catalog:ListenerConnectionString", "Host=direct.example.test,EP-X-POOLER.eu-central-1.aws.neon.tech;Password=" + HostileSecrets.Password, "NeonTenancy:Catalog:ListenerConnectionString points at a Neon pooler host" },
        { "NeonTenancy:Provisioning:DefaultRoleName", "pg_monitor", "NeonTenancy:Provisioning:DefaultRoleName must not be a name PostgreSQL or Neon reserves" },
        { "NeonTenancy:Provisioning:DefaultRoleName", "neon_superuser", "NeonTenancy:Provisioning:DefaultRoleName must not be a name PostgreSQL or Neon reserves" },
        { "NeonTenancy:Provisioning:DefaultRoleName", "PUBLIC", "NeonTenancy:Provisioning:DefaultRoleName must not be a name PostgreSQL or Neon reserves" },
        { "NeonTenancy:Provisioning:ApplicationRoleName", "cloud_admin", "NeonTenancy:Provisioning:ApplicationRoleName must not be a name PostgreSQL or Neon reserves" },
        { "NeonTenancy:Provisioning:ApplicationRoleName", "current_user", "NeonTenancy:Provisioning:ApplicationRoleName must not be a name PostgreSQL or Neon reserves" },
        { "NeonTenancy:Provisioning:ApplicationRoleName", "neon_service", "NeonTenancy:Provisioning:ApplicationRoleName must not be a name PostgreSQL or Neon reserves" },
        { "NeonTenancy:Provisioning:DefaultDatabaseName", "template1", "NeonTenancy:Provisioning:DefaultDatabaseName must not be a database every Neon branch already has" },
        { "NeonTenancy:Provisioning:DefaultDatabaseName", "postgres", "NeonTenancy:Provisioning:DefaultDatabaseName must not be a database every Neon branch already has" },
        { "NeonTenancy:Provisioning:DefaultDatabaseName", "db\"; DROP DATABASE x; --", "NeonTenancy:Provisioning:DefaultDatabaseName must be 1 to 63 characters" },
    };

    [Theory]
    [MemberData(nameof(RejectedSettings))]
    public async Task StartAsync_RejectedValue_OptionsValidationExceptionNamingTheSettingWithoutTheConnectionString(string setting, string value, string expected)
    {
        using var host = BuildHost(setting, value);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        HostileSecrets.AssertNoSecret(ex, Key, HostileSecrets.Hostile(value));
    }

    [Fact]
    public void Validators_DirectListenerAndOrdinaryNames_Succeed()
    {
        // The rules above refuse only what they name: a direct listener host and names that merely contain a reserved word pass.
        var catalog = new PostgresTenantCatalogOptions
        {
            ConnectionString = HostileSecrets.ConnectionString,
            ListenerConnectionString = "Host=ep-hostile-1.us-east-2.aws.neon.tech;Password=" + HostileSecrets.Password,
        };
        var provisioning = new TenantProvisioningOptions { ApplicationRoleName = "app_pg_reader", DefaultRoleName = "owner_neon", DefaultDatabaseName = "postgres_app" };

        Assert.True(new PostgresTenantCatalogOptionsValidator().Validate(null, catalog).Succeeded);
        Assert.True(new TenantProvisioningOptionsValidator().Validate(null, provisioning).Succeeded);
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["NeonTenancy:Secrets:CurrentKeyId"] = "k1",
        ["NeonTenancy:Secrets:Keys:k1"] = Key,
        ["NeonTenancy:Api:ApiKey"] = HostileSecrets.ApiKey,
        ["NeonTenancy:Api:BaseAddress"] = "https://neon.example.test/api/v2",
        ["NeonTenancy:Catalog:ConnectionString"] = HostileSecrets.ConnectionString,
    };

    private static IHost BuildHost(string setting, string value)
    {
        var settings = Settings();
        settings[setting] = value;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName)).UsePostgresCatalog();
        return builder.Build();
    }
}
