using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Hostile;

/// <summary>
/// Hostile checkpoint inputs: refused with <see cref="ArgumentException"/> naming what was wrong, before the catalog or
/// Neon is touched, and never quoting a value back.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class HostileCheckpointTests
{
    private static readonly TenantId Tenant = TenantId.Parse("hostile");

    public static TheoryData<string, string> BadNames => new()
    {
        { "", "must be 1 to 256 characters" },
        { "   ", "must be 1 to 256 characters" },
        { new string('n', 257), "must be 1 to 256 characters" },
        { "before\nimport", "must not contain control characters" },
        { "a\0b", "must not contain control characters" },
        { "tab\there", "must not contain control characters" },
        { " leading", "must not start or end with whitespace" },
    };

    public static TheoryData<int, int, string> BadMetadata => new()
    {
        { 33, 1, "at most 32 metadata entries" },
        { 1, 1025, "at most 1024 characters" },
        { 1, -1, "keys must be 1 to 64 characters" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task CreateCheckpointAsync_HostileName_RefusedBeforeAnything(string name, string expected)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Services.GetRequiredService<ITenantCheckpoints>().CreateCheckpointAsync(Tenant, name));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'hostile'", ex.Message, StringComparison.Ordinal);
        if (name.Trim().Length > 3)
        {
            Assert.DoesNotContain(name, ex.Message, StringComparison.Ordinal);
        }

        Assert.Empty(fake.RequestLog);
        Assert.Null(await rig.Catalog.GetAsync(Tenant));
    }

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public async Task CreateCheckpointAsync_HostileMetadata_RefusedWithoutQuotingValues(int entries, int valueLength, string expected)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());
        const string secretish = HostileSecrets.Password; // as if a caller put a secret in metadata
        var metadata = Enumerable.Range(0, entries).ToDictionary(
            i => valueLength < 0 ? new string('k', 65) : "k" + i,
            _ => valueLength < 0 ? "v" : secretish + new string('v', Math.Max(0, valueLength - secretish.Length)));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => rig.Services.GetRequiredService<ITenantCheckpoints>().CreateCheckpointAsync(Tenant, "ok", metadata));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        HostileSecrets.AssertNoSecret(ex);
        Assert.Empty(fake.RequestLog);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("../../projects")]
    public async Task CheckpointIdFromOutside_BlankRefused_UnknownIsNotFound_NeverSentToNeon(string checkpointId)
    {
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { ApiKey = HostileSecrets.ApiKey });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());
        var checkpoints = rig.Services.GetRequiredService<ITenantCheckpoints>();
        await rig.Catalog.ReserveAsync(new TenantReservation { TenantId = Tenant, Plan = "free" });

        if (string.IsNullOrWhiteSpace(checkpointId))
        {
            await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.RestoreCheckpointAsync(Tenant, checkpointId));
            await Assert.ThrowsAsync<ArgumentException>(() => checkpoints.DeleteCheckpointAsync(Tenant, checkpointId));
        }
        else
        {
            Assert.False(await checkpoints.DeleteCheckpointAsync(Tenant, checkpointId));
            Assert.Null(await checkpoints.GetCheckpointAsync(Tenant, checkpointId));
        }

        Assert.DoesNotContain(fake.RequestLog, r => r.Path.Contains("snapshots", StringComparison.Ordinal));
    }
}
