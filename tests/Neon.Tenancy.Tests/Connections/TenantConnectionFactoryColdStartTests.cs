using System.Diagnostics;
using Npgsql;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// Scale-to-zero as the local server can play it: the tenant's backends are terminated (57P01, as a suspend does) and
/// the database refuses connections for a moment (as a waking compute does).
/// </summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryColdStartTests(TenantDatabasesFixture db)
{
    private static Task BlockAsync(string database) => Task.WhenAll(
        TenantDatabasesFixture.AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false"));

    private static Task TerminateAsync(string database) =>
        TenantDatabasesFixture.AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()");

    private static Task UnblockAsync(string database) =>
        TenantDatabasesFixture.AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");

    private static async Task<string> CurrentDatabaseAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task OpenConnectionAsync_DatabaseBlockedForASecond_OpenWaitsItOutWithinTheDeadline()
    {
        var name = db.DatabaseName(3);
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o => o.OpenDeadline = o.FirstOpenDeadline = TimeSpan.FromSeconds(15));
        try
        {
            await BlockAsync(name);
            var unblock = Task.Run(async () =>
            {
                await Task.Delay(1000);
                await UnblockAsync(name);
            });

            var stopwatch = Stopwatch.StartNew();
            await using var connection = await factory.OpenConnectionAsync(db.Tenant(3));
            Assert.Equal(name, await CurrentDatabaseAsync(connection));
            Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(500), $"succeeded after {stopwatch.Elapsed}: the block was not observed");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
            await unblock;
        }
        finally
        {
            await UnblockAsync(name);
        }
    }

    /// <summary>
    /// What Npgsql really does with a pooled connection whose backend was killed while idle (57P01, as a compute
    /// restart does): the pool hands it out unchecked and its first command fails. The factory then drops the
    /// tenant's other dead idle connections and the next open rides out the outage within the deadline.
    /// </summary>
    [Fact]
    public async Task OpenConnectionAsync_IdleBackendsKilledAndDatabaseBlocked_FirstCommandFails57P01ThenNextOpenSucceedsWithinTheDeadline()
    {
        var name = db.DatabaseName(5);
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o => o.OpenDeadline = o.FirstOpenDeadline = TimeSpan.FromSeconds(15));
        var warm = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.OpenConnectionAsync(db.Tenant(5)).AsTask()));
        foreach (var connection in warm)
        {
            Assert.Equal(name, await CurrentDatabaseAsync(connection));
            await connection.DisposeAsync(); // Three idle physical connections stay in the pool.
        }

        try
        {
            await BlockAsync(name);
            await TerminateAsync(name);
            var unblock = Task.Run(async () =>
            {
                await Task.Delay(1000);
                await UnblockAsync(name);
            });

            await using (var stale = await factory.OpenConnectionAsync(db.Tenant(5)))
            {
                var error = await Assert.ThrowsAsync<PostgresException>(() => CurrentDatabaseAsync(stale));
                Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
            }

            var stopwatch = Stopwatch.StartNew();
            await using var fresh = await factory.OpenConnectionAsync(db.Tenant(5));
            Assert.Equal(name, await CurrentDatabaseAsync(fresh));
            Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"succeeded after {stopwatch.Elapsed}: it got another dead idle connection or the block was not observed");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
            await unblock;
        }
        finally
        {
            await UnblockAsync(name);
        }
    }

    /// <summary>
    /// The documented contract for connections killed while idle in the pool (57P01, as a compute restart or a suspend
    /// does): only the first command on one of them fails, with an error the SDK classifies as transient; that
    /// connection is released (not counted as open any more) and the tenant's other dead idle connections are dropped
    /// with it, so the very next open hands out a live connection from the same data source.
    /// </summary>
    [Fact]
    public async Task OpenConnectionAsync_IdleBackendsKilled_OnlyTheFirstCommandFailsTransientlyAndTheNextOpenIsLive()
    {
        var name = db.DatabaseName(6);
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector);
        var warm = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.OpenConnectionAsync(db.Tenant(6)).AsTask()));
        foreach (var connection in warm)
        {
            Assert.Equal(name, await CurrentDatabaseAsync(connection));
            await connection.DisposeAsync(); // Three idle physical connections stay in the pool.
        }

        await TerminateAsync(name);
        var entry = factory.PeekEntry(db.Tenant(6), TenantConnectionKind.Pooled)!;

        await using (var stale = await factory.OpenConnectionAsync(db.Tenant(6)))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => CurrentDatabaseAsync(stale));
            Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
            Assert.True(TenantConnectionFactory.IsTransient(error));
            Assert.Equal(0, entry.OpenCount); // The broken connection released its entry before being disposed.
        }

        await using var fresh = await factory.OpenConnectionAsync(db.Tenant(6));
        Assert.Equal(name, await CurrentDatabaseAsync(fresh));
        Assert.Same(entry, factory.PeekEntry(db.Tenant(6), TenantConnectionKind.Pooled));
        Assert.Equal(1, factory.BuiltDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_DatabaseBlockedPastTheDeadline_ThrowsTenantUnavailableAfterIt()
    {
        var name = db.DatabaseName(4);
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o => o.OpenDeadline = o.FirstOpenDeadline = TimeSpan.FromMilliseconds(600));
        try
        {
            await BlockAsync(name);
            var stopwatch = Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<TenantUnavailableException>(async () => await factory.OpenConnectionAsync(db.Tenant(4)));

            Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(550), $"gave up after {stopwatch.Elapsed}");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"gave up after {stopwatch.Elapsed}");
            Assert.True(error.Attempts >= 2, $"{error.Attempts} attempts");
            Assert.Equal(db.Tenant(4), error.TenantId);
            Assert.Equal(PostgresErrorCodes.ObjectNotInPrerequisiteState, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        }
        finally
        {
            await UnblockAsync(name);
        }

        // Nothing is left acquired: the next open works and the source is still the cached one.
        await using var connection = await factory.OpenConnectionAsync(db.Tenant(4));
        Assert.Equal(name, await CurrentDatabaseAsync(connection));
        Assert.Equal(1, factory.BuiltDataSources);
    }
}
