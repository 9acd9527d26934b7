using System.Collections.Concurrent;
using Npgsql;
using static Neon.Tenancy.Tests.Connections.TenantDatabasesFixture;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// <see cref="TenantConnectionOptions.ConfigureDataSource"/> runs for every data source the factory builds (every
/// tenant, pooled and direct, again after a rebuild), and every data source logs through the host's logger factory.
/// </summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class ConfigureDataSourceTests(TenantDatabasesFixture db)
{
    private static async Task<string> ApplicationNameAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT current_setting('application_name')", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ConfigureDataSource_EveryTenantAndKind_AndAgainAfterARebuild_SeesTheBuilder()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var seen = new ConcurrentQueue<(TenantId Tenant, string? Name)>();
        await using var factory = CreateFactory(catalog, protector, o => o.ConfigureDataSource = (tenant, builder) =>
        {
            seen.Enqueue((tenant, builder.Name));
            builder.ConnectionStringBuilder.ApplicationName = $"cfg-{tenant}";
        });

        foreach (var i in new[] { 0, 1, 2 })
        {
            foreach (var kind in new[] { TenantConnectionKind.Pooled, TenantConnectionKind.Direct })
            {
                await using var connection = await factory.OpenConnectionAsync(db.Tenant(i), kind);
                Assert.Equal($"cfg-{db.Tenant(i)}", await ApplicationNameAsync(connection));
            }
        }

        factory.Evict(db.Tenant(0));
        await using (var rebuilt = await factory.OpenConnectionAsync(db.Tenant(0)))
        {
            Assert.Equal($"cfg-{db.Tenant(0)}", await ApplicationNameAsync(rebuilt));
        }

        var handedOut = await factory.GetDataSourceAsync(db.Tenant(1));
        Assert.Equal($"cfg-{db.Tenant(1)}", new NpgsqlConnectionStringBuilder(handedOut.ConnectionString).ApplicationName);
        Assert.Equal(7, seen.Count);
        Assert.Equal(2, seen.Count(s => s.Tenant == db.Tenant(0) && s.Name == TenantDataSourceBuilder.PooledName));
        Assert.Equal(3, seen.Count(s => s.Name == TenantDataSourceBuilder.DirectName));
    }

    [Fact]
    public async Task ConfigureDataSource_RaisesThePoolSize_TheBudgetFollowsThePoolItReallyHas()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector, o =>
        {
            o.MaxPoolSize = 1;
            o.ConnectionBudget = 10;
            o.ConfigureDataSource = (_, builder) => builder.ConnectionStringBuilder.MaxPoolSize = 3;
        });

        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.OpenConnectionAsync(db.Tenant(4)).AsTask()));

        Assert.Equal(3, factory.PeekEntry(db.Tenant(4), TenantConnectionKind.Pooled)!.HeldSlots); // one slot per physical connection
        Assert.Equal(7, factory.FreeBudget);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task DataSources_LogThroughTheHostsLoggerFactory()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var log = new LogEvents();
        await using var factory = CreateFactory(catalog, protector, loggerFactory: log.Factory);

        await using (var connection = await factory.OpenConnectionAsync(db.Tenant(5), TenantConnectionKind.Direct))
        {
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
        }

        Assert.Contains(log.Events, e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.Contains(log.Events, e => e.Category == typeof(TenantConnectionFactory).FullName && e.EventId == 3000); // DataSourceBuilt
    }
}
