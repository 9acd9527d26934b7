using Neon.Tenancy.Tests.Shared;
using Npgsql;
using static Neon.Tenancy.Tests.Connections.TenantDatabasesFixture;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// Scale-to-zero as the local server can play it: the tenant's backends are terminated (57P01, as a suspend does) and
/// the database refuses connections (55000, as a waking compute does) until the test lets it in again. Retry delays and
/// deadlines run on an <see cref="ObservedTimeProvider"/> the test advances once the factory armed a retry's delay
/// (not once it logged the retry: the log comes before the delay's timer, and a clock moved in between would leave the
/// timer late by the whole move), so no real delay races a deadline.
/// </summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryColdStartTests(TenantDatabasesFixture db)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task BlockAsync(string database) => AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false");

    private static Task UnblockAsync(string database) => AdminAsync($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");

    private static Task TerminateAsync(string database) =>
        AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()");

    /// <summary>A factory on a fake clock, logging to <paramref name="log"/>, with the given open deadline (cold and warm).</summary>
    private async Task<(TenantConnectionFactory Factory, ObservedTimeProvider Time, TenantConnectionOptions Options)> FactoryAsync(LogEvents log, TimeSpan deadline)
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var time = new ObservedTimeProvider(DateTimeOffset.UtcNow);
        TenantConnectionOptions options = null!;
        var factory = CreateFactory(catalog, protector, o =>
        {
            o.OpenDeadline = o.FirstOpenDeadline = deadline;
            options = o;
        }, time, loggerFactory: log.Factory);
        return (factory, time, options);
    }

    /// <summary>A retry's delay being armed: jittered, at most <see cref="TenantConnectionOptions.RetryMaxDelay"/> (the deadline and the idle-expiry ticks are longer).</summary>
    private static Task RetryArmedAsync(ObservedTimeProvider time, TenantConnectionOptions options) =>
        time.WhenArmedAsync(due => due > TimeSpan.Zero && due <= options.RetryMaxDelay);

    /// <summary>
    /// Runs <paramref name="database"/> blocked: <paramref name="open"/> must arm a retry's delay (its first attempt was
    /// refused, as the log says), the block is lifted, the clock moved past the retry delay, and the open must then succeed.
    /// </summary>
    private static async Task<NpgsqlConnection> OpenThroughTheBlockAsync(string database, Func<Task<NpgsqlConnection>> open, LogEvents log, ObservedTimeProvider time, TenantConnectionOptions options)
    {
        await BlockAsync(database);
        try
        {
            var retries = log.Count(LogEvents.TransientOpenFailure);
            var opening = open();
            await Task.WhenAny(opening, RetryArmedAsync(time, options)).WaitAsync(Patience);
            Assert.False(opening.IsCompleted, "the open completed without a retry: the block was not observed");
            Assert.Equal(retries + 1, log.Count(LogEvents.TransientOpenFailure));

            await UnblockAsync(database);
            time.Advance(options.RetryMaxDelay); // every jittered delay is at most this
            return await opening.WaitAsync(Patience);
        }
        finally
        {
            await UnblockAsync(database);
        }
    }

    [Fact]
    public async Task OpenConnectionAsync_DatabaseRefusingConnections_RetriesOnTheClockAndSucceedsOnceItIsBack()
    {
        var log = new LogEvents();
        var (factory, time, options) = await FactoryAsync(log, TimeSpan.FromSeconds(15));
        await using var owned = factory;
        var name = db.DatabaseName(3);
        var start = time.GetTimestamp();

        await using var connection = await OpenThroughTheBlockAsync(name, () => factory.OpenConnectionAsync(db.Tenant(3)).AsTask(), log, time, options);

        Assert.Equal(name, await CurrentDatabaseAsync(connection));
        Assert.True(time.GetElapsedTime(start) < TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// What Npgsql really does with a pooled connection whose backend was killed while idle (57P01, as a compute
    /// restart does): the pool hands it out unchecked and its first command fails. The factory then drops the
    /// tenant's other dead idle connections, so the next open connects afresh and rides out the outage.
    /// </summary>
    [Fact]
    public async Task OpenConnectionAsync_IdleBackendsKilledAndDatabaseBlocked_FirstCommandFails57P01ThenNextOpenRidesOutTheBlock()
    {
        var log = new LogEvents();
        var (factory, time, options) = await FactoryAsync(log, TimeSpan.FromSeconds(15));
        await using var owned = factory;
        var name = db.DatabaseName(5);
        await WarmThreeIdleConnectionsAsync(factory, 5);
        await TerminateAsync(name);

        await using (var stale = await factory.OpenConnectionAsync(db.Tenant(5)))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => CurrentDatabaseAsync(stale));
            Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
        }

        // The open has to connect (not take another dead idle connection): it meets the block and retries.
        await using var fresh = await OpenThroughTheBlockAsync(name, () => factory.OpenConnectionAsync(db.Tenant(5)).AsTask(), log, time, options);
        Assert.Equal(name, await CurrentDatabaseAsync(fresh));
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
        await using var factory = CreateFactory(catalog, protector);
        await WarmThreeIdleConnectionsAsync(factory, 6);
        await TerminateAsync(name);
        var entry = factory.PeekEntry(db.Tenant(6), TenantConnectionKind.Pooled)!;

        await using (var stale = await factory.OpenConnectionAsync(db.Tenant(6)))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => CurrentDatabaseAsync(stale));
            Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
            Assert.True(TenantOpenRecovery.IsTransient(error));
            Assert.Equal(0, entry.OpenCount); // The broken connection released its entry before being disposed.
        }

        await using var fresh = await factory.OpenConnectionAsync(db.Tenant(6));
        Assert.Equal(name, await CurrentDatabaseAsync(fresh));
        Assert.Same(entry, factory.PeekEntry(db.Tenant(6), TenantConnectionKind.Pooled));
        Assert.Equal(1, factory.BuiltDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_DatabaseBlockedPastTheDeadline_ThrowsTenantUnavailableAtTheDeadline()
    {
        var log = new LogEvents();
        var deadline = TimeSpan.FromMilliseconds(600);
        var (factory, time, options) = await FactoryAsync(log, deadline);
        await using var owned = factory;
        var name = db.DatabaseName(4);
        Task<NpgsqlConnection> opening;
        await BlockAsync(name);
        try
        {
            opening = factory.OpenConnectionAsync(db.Tenant(4)).AsTask();
            while (!opening.IsCompleted)
            {
                // Each armed retry delay is let through by moving the clock; the deadline passes on the third move.
                await Task.WhenAny(opening, RetryArmedAsync(time, options)).WaitAsync(Patience);
                if (!opening.IsCompleted)
                {
                    time.Advance(options.RetryMaxDelay);
                }
            }
        }
        finally
        {
            await UnblockAsync(name);
        }

        var error = await Assert.ThrowsAsync<TenantUnavailableException>(() => opening);
        Assert.InRange(error.Elapsed, deadline, deadline + options.RetryMaxDelay);
        Assert.True(error.Attempts >= 2, $"{error.Attempts} attempts");
        Assert.Equal(db.Tenant(4), error.TenantId);
        Assert.Equal(PostgresErrorCodes.ObjectNotInPrerequisiteState, Assert.IsType<PostgresException>(error.InnerException).SqlState);

        // Nothing is left acquired: the next open works and the source is still the cached one.
        await using var connection = await factory.OpenConnectionAsync(db.Tenant(4));
        Assert.Equal(name, await CurrentDatabaseAsync(connection));
        Assert.Equal(1, factory.BuiltDataSources);
        Assert.Equal(1, factory.PeekEntry(db.Tenant(4), TenantConnectionKind.Pooled)!.OpenCount);
    }

    private async Task WarmThreeIdleConnectionsAsync(TenantConnectionFactory factory, int tenant)
    {
        var warm = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.OpenConnectionAsync(db.Tenant(tenant)).AsTask()));
        foreach (var connection in warm)
        {
            Assert.Equal(db.DatabaseName(tenant), await CurrentDatabaseAsync(connection));
            await connection.DisposeAsync(); // Three idle physical connections stay in the pool.
        }
    }
}
