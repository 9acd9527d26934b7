using System.Diagnostics;
using static Neon.Tenancy.Tests.Connections.TenantDatabasesFixture;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>The catalog's change feed keeps the factory's cache true: what a change touches is evicted, nothing else.</summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryChangeFeedTests(TenantDatabasesFixture db)
{
    [Fact]
    public async Task ChangeFeed_ConnectionChanged_EvictsTheTenantsSources()
    {
        var (catalog, protector, factory, id) = await db.WarmFactoryAsync(7);
        await using var owned = factory;
        await using (await factory.OpenConnectionAsync(id, TenantConnectionKind.Direct))
        {
        }

        // Point the tenant at another database (as a restore or endpoint move would).
        var record = (await catalog.GetAsync(id))!;
        await catalog.UpdateAsync(record with { PooledConnectionSecret = protector.Protect(id, ConnectionSecretKind.Pooled, db.ConnectionString(8)) });

        Assert.Null(factory.PeekEntry(id, TenantConnectionKind.Pooled));
        Assert.Null(factory.PeekEntry(id, TenantConnectionKind.Direct));
        await using var connection = await factory.OpenConnectionAsync(id);
        Assert.Equal(db.DatabaseName(8), await CurrentDatabaseAsync(connection));
    }

    [Fact]
    public async Task ChangeFeed_UnrelatedUpdate_KeepsTheSource()
    {
        var (catalog, _, factory, id) = await db.WarmFactoryAsync(7);
        await using var owned = factory;

        var record = (await catalog.GetAsync(id))!;
        await catalog.UpdateAsync(record with { SchemaVersion = record.SchemaVersion + 1 });

        Assert.NotNull(factory.PeekEntry(id, TenantConnectionKind.Pooled));
    }

    [Fact]
    public async Task ChangeFeed_TenantRemoved_NextOpenThrowsNotFound()
    {
        var (catalog, _, factory, id) = await db.WarmFactoryAsync(9);
        await using var owned = factory;

        await catalog.RemoveAsync(id);

        var error = await Assert.ThrowsAsync<TenantNotFoundException>(async () => await factory.OpenConnectionAsync(id));
        Assert.Equal(id, error.TenantId);
        Assert.Equal(0, factory.AliveDataSources);
    }

    [Fact]
    public async Task ChangeFeed_TenantSuspended_NextOpenThrowsNotReadyAtOnce()
    {
        var (catalog, _, factory, id) = await db.WarmFactoryAsync(10);
        await using var owned = factory;

        var record = (await catalog.GetAsync(id))!;
        await catalog.UpdateAsync(record with { State = TenantState.Suspended });

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TenantStateException>(async () => await factory.OpenConnectionAsync(id));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed}"); // no cold-start retry (15 s deadline here)
        Assert.Equal(TenantState.Suspended, error.State);
        Assert.Equal("connect", error.Operation);
        Assert.Contains("Suspended", error.Message, StringComparison.Ordinal);
    }
}
