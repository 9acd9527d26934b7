using System.Collections.Concurrent;
using Npgsql;
using static Neon.Tenancy.Tests.Connections.TenantDatabasesFixture;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// <see cref="TenantConnectionOptions.ConnectionBudget"/> 0: no global budget, so an open is the lookup and Npgsql's
/// open, nothing counted; eviction disposes a data source at once and stays safe because Npgsql keeps connections
/// already open on it working, and an open that raced the disposal looks the tenant up again.
/// </summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryBudgetOffTests(TenantDatabasesFixture db)
{
    private async Task<TenantConnectionFactory> FactoryAsync(Action<TenantConnectionOptions>? configure = null)
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        return CreateFactory(catalog, protector, o =>
        {
            o.ConnectionBudget = 0;
            configure?.Invoke(o);
        });
    }

    [Fact]
    public async Task OpenConnectionAsync_NoBudget_OpensMoreThanAnyBudgetWouldWithoutCountingThem()
    {
        await using var factory = await FactoryAsync(o => o.MaxPoolSize = 5);

        var connections = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => factory.OpenConnectionAsync(db.Tenant(0)).AsTask()));

        Assert.False(factory.CountsOpens);
        var entry = factory.PeekEntry(db.Tenant(0), TenantConnectionKind.Pooled)!;
        Assert.Equal((0, 0), (entry.OpenCount, entry.HeldSlots));
        foreach (var connection in connections)
        {
            Assert.Equal(db.DatabaseName(0), await CurrentDatabaseAsync(connection));
            await connection.DisposeAsync();
        }

        Assert.True(entry.HasOpened);
    }

    [Fact]
    public async Task OpenConnectionAsync_NoBudget_EvictedWhileAConnectionIsOpen_ConnectionKeepsWorkingAndClosesCleanly()
    {
        await using var factory = await FactoryAsync();
        var held = await factory.OpenConnectionAsync(db.Tenant(1));
        var entry = factory.PeekEntry(db.Tenant(1), TenantConnectionKind.Pooled)!;

        factory.Evict(db.Tenant(1));

        Assert.True(entry.IsDisposed); // nothing counted it open: disposed at once
        Assert.Equal(0, factory.AliveDataSources);
        await using (var tx = await held.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM generate_series(1, 1000)", held, tx);
            Assert.Equal(1000L, await command.ExecuteScalarAsync());
            await tx.CommitAsync();
        }

        await held.DisposeAsync();
        await using var again = await factory.OpenConnectionAsync(db.Tenant(1));
        Assert.Equal(db.DatabaseName(1), await CurrentDatabaseAsync(again));
        Assert.NotSame(entry, factory.PeekEntry(db.Tenant(1), TenantConnectionKind.Pooled));
    }

    /// <summary>The race made deterministic: the open starts on an entry that was evicted and disposed after its lookup.</summary>
    [Fact]
    public async Task OpenOn_NoBudget_EntryDisposedAfterTheLookup_LooksTheTenantUpAgainAndOpens()
    {
        await using var factory = await FactoryAsync();
        await (await factory.OpenConnectionAsync(db.Tenant(2))).DisposeAsync();
        var looked = factory.PeekEntry(db.Tenant(2), TenantConnectionKind.Pooled)!;
        factory.Evict(db.Tenant(2));
        Assert.True(looked.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => looked.DataSource.OpenConnection()); // what Npgsql does on its own

        await using var connection = await factory.OpenOn(looked, TenantConnectionFactory.NoTimestamp, default);

        Assert.Equal(db.DatabaseName(2), await CurrentDatabaseAsync(connection));
        Assert.Equal(2, factory.BuiltDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_NoBudget_ManyOpensWhileTheTenantIsEvictedOverAndOver_NoObjectDisposedExceptionEscapes()
    {
        await using var factory = await FactoryAsync();
        using var stop = new CancellationTokenSource();
        var evictions = 0;
        var evictor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                factory.Evict(db.Tenant(3));
                Interlocked.Increment(ref evictions);
                await Task.Yield();
            }
        });
        var errors = new ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    await using var connection = await factory.OpenConnectionAsync(db.Tenant(3));
                    await using var command = new NpgsqlCommand("SELECT 1", connection);
                    Assert.Equal(1, await command.ExecuteScalarAsync());
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            }
        }));

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(3));
        await stop.CancelAsync();
        await evictor;

        Assert.Empty(errors);
        Assert.True(factory.BuiltDataSources > 1, $"{factory.BuiltDataSources} data sources built over {evictions} evictions: no eviction raced an open");
    }
}
