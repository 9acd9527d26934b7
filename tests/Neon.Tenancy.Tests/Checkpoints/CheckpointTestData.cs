using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Checkpoints;

/// <summary>What the checkpoint and restore tests share: a table of rows, a checkpoint between two writes, the services.</summary>
internal static class CheckpointTestData
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static readonly TenantProvisionRequest Free = new() { Plan = "free" };

    /// <summary>The rows of the tenant's <c>items</c> table, ordered and joined (<c>a,b</c>).</summary>
    public const string Items = "SELECT coalesce(string_agg(v, ',' ORDER BY v), '') FROM items";

    public static TenantId NewTenant() => TenantId.Parse("acme-" + Guid.NewGuid().ToString("N")[..8]);

    public static ITenantCheckpoints CheckpointsOf(ProvisioningRig rig) => rig.Services.GetRequiredService<ITenantCheckpoints>();

    public static TenantConnectionFactory ConnectionsOf(ProvisioningRig rig) => rig.Services.GetRequiredService<TenantConnectionFactory>();

    /// <summary>The tenant's rows, read through the instance's connection factory (its cached data source).</summary>
    public static Task<string> ItemsAsync(ProvisioningRig rig, TenantId tenant) =>
        TenantSql.ScalarAsync<string>(ConnectionsOf(rig), tenant, TenantConnectionKind.Direct, Items);

    /// <summary>Rows a, b; a checkpoint of them; then c written and a deleted: the tenant has b, c and the checkpoint a, b.</summary>
    public static async Task<TenantCheckpoint> CheckpointBetweenWritesAsync(ProvisioningRig rig, TenantRecord provisioned, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var direct = rig.Secret(provisioned, ConnectionSecretKind.Direct);
        await TenantSql.ExecuteAsync(direct, "CREATE TABLE items (v text); INSERT INTO items VALUES ('a'), ('b')");
        var checkpoint = await CheckpointsOf(rig).CreateCheckpointAsync(provisioned.TenantId, "before", metadata);
        await TenantSql.ExecuteAsync(direct, "INSERT INTO items VALUES ('c'); DELETE FROM items WHERE v = 'a'");
        return checkpoint;
    }

    /// <summary>Waits until the instance's cached direct data source for the tenant is another than <paramref name="cached"/> (the change feed replaced it).</summary>
    public static async Task ReplacedAsync(ProvisioningRig rig, TenantId tenant, TenantDataSourceEntry cached)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (ReferenceEquals(ConnectionsOf(rig).PeekEntry(tenant, TenantConnectionKind.Direct), cached) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.NotSame(cached, ConnectionsOf(rig).PeekEntry(tenant, TenantConnectionKind.Direct));
    }
}
