using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Hostile;

/// <summary>
/// Hostile provision, restore and plan-change inputs: each is refused with <see cref="ArgumentException"/> naming the
/// property, before anything is written to the catalog or sent to Neon.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class HostileRequestTests
{
    private static readonly TenantId Tenant = TenantId.Parse("hostile");

    public static TheoryData<string, string> BadProvisionRequests => new()
    {
        { "role:pg_monitor", "TenantProvisionRequest.RoleName must not be a name PostgreSQL or Neon reserves" },
        { "role:neon_superuser", "TenantProvisionRequest.RoleName must not be a name PostgreSQL or Neon reserves" },
        { "role:public", "TenantProvisionRequest.RoleName must not be a name PostgreSQL or Neon reserves" },
        { "role:cloud_admin", "TenantProvisionRequest.RoleName must not be a name PostgreSQL or Neon reserves" },
        { "role:owner\"; DROP ROLE app; --", "TenantProvisionRequest.RoleName must be 1 to 63 characters" },
        { "role:" + new string('r', 64), "TenantProvisionRequest.RoleName must be 1 to 63 characters" },
        { "role:", "TenantProvisionRequest.RoleName must be 1 to 63 characters" },
        { "database:template0", "TenantProvisionRequest.DatabaseName must not be a database every Neon branch already has" },
        { "database:a\0b", "TenantProvisionRequest.DatabaseName must be 1 to 63 characters" },
        { "database:" + new string('d', 10_000), "TenantProvisionRequest.DatabaseName must be 1 to 63 characters" },
        { "database:données", "TenantProvisionRequest.DatabaseName must be 1 to 63 characters" },
        { "plan:" + new string('p', 65), "TenantProvisionRequest.Plan must be 1 to 64 characters" },
        { "plan:pro|enterprise", "TenantProvisionRequest.Plan must be 1 to 64 characters" },
        { "plan:pro\n", "TenantProvisionRequest.Plan must be 1 to 64 characters" },
        { "plan: ", "TenantProvisionRequest.Plan must be 1 to 64 characters" },
        { "region:aws-us-east-2'; --", "TenantProvisionRequest.Region must be a Neon region id" },
        { "version:13", "TenantProvisionRequest.PostgresVersion must be 14 to 18" },
    };

    [Theory]
    [MemberData(nameof(BadProvisionRequests))]
    public async Task ProvisionAsync_HostileRequest_ArgumentExceptionBeforeAnyCatalogWriteOrApiCall(string input, string expected)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());
        var (field, value) = Split(input);
        var request = field switch
        {
            "role" => new TenantProvisionRequest { Plan = "pro", RoleName = value },
            "database" => new TenantProvisionRequest { Plan = "pro", DatabaseName = value },
            "plan" => new TenantProvisionRequest { Plan = value },
            "region" => new TenantProvisionRequest { Plan = "pro", Region = value },
            "version" => new TenantProvisionRequest { Plan = "pro", PostgresVersion = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Provider.ProvisionAsync(Tenant, request));

        Assert.Equal("request", ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'hostile'", ex.Message, StringComparison.Ordinal);
        await AssertNothingHappenedAsync(rig, fake);
        HostileSecrets.AssertNoSecret(ex, HostileSecrets.Hostile(value));
    }

    public static TheoryData<string, string> BadPreserveNames => new()
    {
        { new string('b', 257), "TenantRestoreRequest.PreserveUnderName must be 1 to 256 characters" },
        { string.Empty, "TenantRestoreRequest.PreserveUnderName must be 1 to 256 characters" },
        { "   ", "TenantRestoreRequest.PreserveUnderName must be 1 to 256 characters" },
        { "before\nInjected: log line", "TenantRestoreRequest.PreserveUnderName must not contain control characters" },
        { "before\0restore", "TenantRestoreRequest.PreserveUnderName must not contain control characters" },
        { " leading-space", "TenantRestoreRequest.PreserveUnderName must not start or end with whitespace" },
    };

    [Theory]
    [MemberData(nameof(BadPreserveNames))]
    public async Task RestoreAsync_HostilePreserveUnderName_ArgumentExceptionBeforeAnyCall(string name, string expected)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Provider.RestoreAsync(Tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow, PreserveUnderName = name }));

        Assert.Equal("request", ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        await AssertNothingHappenedAsync(rig, fake);
        HostileSecrets.AssertNoSecret(ex, HostileSecrets.Hostile(name));
    }

    [Fact]
    public async Task RestoreAsync_PreserveUnderNameWithLoneSurrogate_ArgumentExceptionBeforeAnyCall()
    {
        // Built here, not as theory data: xUnit's serialization of theory rows would repair the lone surrogate.
        var name = "broken" + (char)0xD800 + "surrogate";
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Provider.RestoreAsync(Tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow, PreserveUnderName = name }));

        Assert.Contains("TenantRestoreRequest.PreserveUnderName must not contain control characters or broken UTF-16; found one at position 6", ex.Message, StringComparison.Ordinal);
        await AssertNothingHappenedAsync(rig, fake);
    }

    [Fact]
    public async Task RestoreAsync_LongestValidPreserveUnderName_PassesTheRulesAndReachesTheCatalog()
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        // Valid input is not refused by the rules: the unknown tenant is what stops it.
        await Assert.ThrowsAsync<TenantNotFoundException>(() => rig.Provider.RestoreAsync(Tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow, PreserveUnderName = "before émigré " + new string('b', 242) }));
    }

    public static TheoryData<string> BadPlanNames => new()
    {
        new string('p', 65),
        new string('p', 100_000),
        "pro|injected|payload",
        "pro'; UPDATE tenants SET plan = 'free'; --",
        string.Empty,
        "pro\u0007",
    };

    [Theory]
    [MemberData(nameof(BadPlanNames))]
    public async Task ChangePlanAsync_HostilePlanName_ArgumentExceptionBeforeAnyCall(string plan)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Services.GetRequiredService<IPlanLimits>().ChangePlanAsync(Tenant, plan));

        Assert.Equal("plan", ex.ParamName);
        Assert.Contains("the plan name must be 1 to 64 characters", ex.Message, StringComparison.Ordinal);
        await AssertNothingHappenedAsync(rig, fake);
        HostileSecrets.AssertNoSecret(ex, HostileSecrets.Hostile(plan));
    }

    [Fact]
    public async Task CatalogReserve_OverlongPlan_ArgumentExceptionAndNothingStored()
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Catalog.ReserveAsync(new TenantReservation { TenantId = Tenant, Plan = new string('p', 65), ProjectName = "tenant-hostile" }));

        Assert.Contains("Plan must be a non-empty plan name of at most 64 characters", ex.Message, StringComparison.Ordinal);
        Assert.Null(await rig.Catalog.GetAsync(Tenant));
    }

    private static (string Field, string Value) Split(string input)
    {
        var colon = input.IndexOf(':', StringComparison.Ordinal);
        return (input[..colon], input[(colon + 1)..]);
    }

    private static async Task AssertNothingHappenedAsync(ProvisioningRig rig, NeonFakeServer fake)
    {
        Assert.Null(await rig.Catalog.GetAsync(Tenant));
        Assert.Empty(fake.RequestLog);
    }
}
