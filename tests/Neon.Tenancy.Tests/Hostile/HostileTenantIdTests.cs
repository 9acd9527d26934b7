using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Hostile;

[Trait("Category", "Hostile")]
public sealed class HostileTenantIdTests
{
    public static TheoryData<string, TenantIdRule, string> BadIds => new()
    {
        { string.Empty, TenantIdRule.Length, "must not be empty" },
        { new string('a', 64), TenantIdRule.Length, "at most 63 characters" },
        { new string('a', 1_000_000), TenantIdRule.Length, "at most 63 characters" },
        { "Tenant", TenantIdRule.Lowercase, "must be lowercase" },
        { "a b", TenantIdRule.AllowedCharacters, "whitespace" },
        { "a\0b", TenantIdRule.AllowedCharacters, "a control character" },
        { "a\r\nInjected log line", TenantIdRule.AllowedCharacters, "a control character" },
        { "x'; DROP TABLE tenants; --", TenantIdRule.AllowedCharacters, "a disallowed character" },
        { "ténant", TenantIdRule.AllowedCharacters, "a non-ASCII character" },
        { "a\u202Egnp.exe", TenantIdRule.AllowedCharacters, "a non-ASCII character" },
        { "tenant\U0001F600", TenantIdRule.AllowedCharacters, "a non-ASCII character" },
        { "-tenant", TenantIdRule.StartAndEnd, "start and end with a letter or digit" },
        { "tenant-", TenantIdRule.StartAndEnd, "start and end with a letter or digit" },
        { "a--b", TenantIdRule.ConsecutiveHyphens, "two hyphens in a row" },
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    public void Parse_HostileId_ThrowsTypedErrorNamingTheRuleWithoutEchoingTheInput(string value, TenantIdRule rule, string expected)
    {
        var ex = Assert.Throws<TenantIdFormatException>(() => TenantId.Parse(value));

        Assert.Equal(rule, ex.Rule);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(TenantId.TryParse(value, out _));
        HostileSecrets.AssertNoSecret(ex, HostileSecrets.Hostile(value));
    }

    public static TheoryData<string> EntryPoints => new()
    {
        "provider.Provision", "provider.Get", "provider.Delete", "provider.Recover", "provider.Restore", "provider.Rotate",
        "plans.ChangePlan", "plans.CheckDrift", "plans.Suspend", "plans.Resume",
        "usage.Current", "usage.AgainstPlan",
        "catalog.Get", "catalog.Remove",
        "connections.Open", "connections.DataSource",
        "context.SetTenant",
        "protector.Protect", "protector.Unprotect",
    };

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public async Task EveryEntryPoint_DefaultTenantId_ThrowsArgumentExceptionNamingTenantId(string entryPoint)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), configure: s => new NeonTenancyBuilder(s).AddTenantContext());
        var services = rig.Services;
        TenantId none = default;
        Func<Task> call = entryPoint switch
        {
            "provider.Provision" => () => rig.Provider.ProvisionAsync(none, new TenantProvisionRequest { Plan = "pro" }),
            "provider.Get" => () => rig.Provider.GetAsync(none),
            "provider.Delete" => () => rig.Provider.DeleteAsync(none),
            "provider.Recover" => () => rig.Provider.RecoverAsync(none),
            "provider.Restore" => () => rig.Provider.RestoreAsync(none, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow }),
            "provider.Rotate" => () => rig.Provider.RotateCredentialsAsync(none),
            "plans.ChangePlan" => () => services.GetRequiredService<IPlanLimits>().ChangePlanAsync(none, "pro"),
            "plans.CheckDrift" => () => services.GetRequiredService<IPlanLimits>().CheckDriftAsync(none),
            "plans.Suspend" => () => services.GetRequiredService<IPlanLimits>().SuspendAsync(none),
            "plans.Resume" => () => services.GetRequiredService<IPlanLimits>().ResumeAsync(none),
            "usage.Current" => () => services.GetRequiredService<IUsageClient>().GetCurrentUsageAsync(none),
            "usage.AgainstPlan" => () => services.GetRequiredService<IUsageClient>().GetUsageAgainstPlanAsync(none),
            "catalog.Get" => () => rig.Catalog.GetAsync(none),
            "catalog.Remove" => () => rig.Catalog.RemoveAsync(none),
            "connections.Open" => async () => await services.GetRequiredService<ITenantConnectionFactory>().OpenConnectionAsync(none),
            "connections.DataSource" => async () => await services.GetRequiredService<ITenantConnectionFactory>().GetDataSourceAsync(none),
            "context.SetTenant" => () =>
            {
                using var scope = services.CreateScope();
                scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(none);
                return Task.CompletedTask;
            },
            "protector.Protect" => () => Task.FromResult(rig.Protector.Protect(none, ConnectionSecretKind.Pooled, HostileSecrets.ConnectionString)),
            "protector.Unprotect" => () => Task.FromResult(rig.Protector.Unprotect(none, ConnectionSecretKind.Pooled, new byte[64])),
            _ => throw new ArgumentOutOfRangeException(nameof(entryPoint)),
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(call);

        Assert.Equal("tenantId", ex.ParamName);
        Assert.Contains("default(TenantId)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(fake.RequestLog);
        HostileSecrets.AssertNoSecret(ex);
    }
}
