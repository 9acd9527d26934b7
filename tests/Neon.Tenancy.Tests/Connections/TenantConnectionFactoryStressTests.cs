using Xunit.Abstractions;
using System.Diagnostics.Metrics;
using System.Data;
using System.Collections.Concurrent;
using System.Diagnostics;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Connections;

[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryStressTests(TenantDatabasesFixture db, ITestOutputHelper output)
{
    /// <summary>
    /// This test's physical connections as the server sees them, split into live backends and backends already
    /// closed by the client but still exiting. Npgsql closes a physical connection synchronously (Terminate message,
    /// socket closed) before the factory gives its budget slot back, and opens one only after the slot was taken; but
    /// the server's backend process leaves pg_stat_activity a moment after it read the Terminate message, so a sample
    /// can show a closed connection's backend next to the one that reused its slot (observed: 9 rows for a budget of
    /// 8, the ninth idle and no longer waiting to read from its client). A backend that has read Terminate is idle
    /// and waits on nothing (a live idle one waits on ClientRead; a busy one is active), which is what tells them apart.
    /// Only this factory's connections count (its application_name in this fixture's databases; '' while a backend
    /// starts up): the sampler's own (to the admin database) and other tests' do not.
    /// </summary>
    private async Task<(long Live, long Exiting)> LiveBackendsAsync(NpgsqlDataSource admin, string applicationName)
    {
        await using var command = admin.CreateCommand(
            """
            SELECT count(*) FILTER (WHERE NOT (state IS NOT DISTINCT FROM 'idle' AND wait_event IS NULL)),
                   count(*) FILTER (WHERE state IS NOT DISTINCT FROM 'idle' AND wait_event IS NULL)
            FROM pg_stat_activity
            WHERE datname LIKE $1 AND application_name IN ($2, '')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = db.Prefix + "\\_%" });
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task OpenConnectionAsync_ThousandsOfOpensAcrossMoreTenantsThanCapacity_NoErrorsAndPhysicalConnectionsWithinBudget()
    {
        const int budget = 8;
        const int capacity = 4;
        const int workers = 40;
        const int opensPerWorker = 50;
        var applicationName = "stress-" + Guid.NewGuid().ToString("N")[..8];
        var (catalog, protector) = await db.CreateCatalogAsync(applicationName);
        var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o =>
        {
            o.Capacity = capacity;
            o.ConnectionBudget = budget;
            o.MaxPoolSize = 4;
            o.BudgetWaitTimeout = TimeSpan.FromSeconds(60);
        });
        await using var admin = NpgsqlDataSource.Create(TestPostgres.AdminConnectionString);

        // Two views of the physical connections: the server's (pg_stat_activity) and the client's (Npgsql's own
        // pool gauge for the factory's data sources, summed over idle and used).
        long maxPhysical = 0;
        long maxExiting = 0;
        var overBudgetWithExiting = 0;
        long maxClientPhysical = 0;
        long clientPhysical = 0;
        var samples = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name is "db.client.connection.count" or "db.client.connections.usage")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => CountClient(value, tags));
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => CountClient(value, tags));
        listener.Start();
        void CountClient(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key.EndsWith("pool.name", StringComparison.Ordinal) && tag.Value is string pool && pool.StartsWith("neon-tenancy-", StringComparison.Ordinal))
                {
                    Interlocked.Add(ref clientPhysical, value);
                }
            }
        }

        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Exchange(ref clientPhysical, 0);
                listener.RecordObservableInstruments();
                maxClientPhysical = Math.Max(maxClientPhysical, Interlocked.Read(ref clientPhysical));
                var (live, exiting) = await LiveBackendsAsync(admin, applicationName);
                if (live + exiting > budget)
                {
                    overBudgetWithExiting++;
                }

                maxExiting = Math.Max(maxExiting, exiting);
                var physical = live;
                maxPhysical = Math.Max(maxPhysical, physical);
                samples++;
            }
        });

        var errors = new ConcurrentQueue<Exception>();
        var completed = 0;
        var stopwatch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < opensPerWorker; i++)
            {
                var tenant = random.Next(TenantDatabasesFixture.TenantCount);
                var kind = random.Next(4) == 0 ? TenantConnectionKind.Direct : TenantConnectionKind.Pooled;
                try
                {
                    await using var connection = await factory.OpenConnectionAsync(db.Tenant(tenant), kind);
                    await using var command = new NpgsqlCommand("SELECT current_database()", connection);
                    if ((string?)await command.ExecuteScalarAsync() != db.DatabaseName(tenant))
                    {
                        throw new InvalidOperationException($"Tenant {tenant} landed in another database.");
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            }
        }));
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(4));
        var elapsed = stopwatch.Elapsed;
        await stop.CancelAsync();
        await sampler;

        output.WriteLine($"{completed} opens in {elapsed}; max live backends: {maxPhysical} (pg_stat_activity, this factory's application_name); max exiting backends: {maxExiting}; samples over the budget only by exiting backends: {overBudgetWithExiting}; {maxClientPhysical} (Npgsql gauge, not atomic); budget {budget}; {samples} samples; {factory.BuiltDataSources} data sources built");
        Assert.Empty(errors);
        Assert.Equal(workers * opensPerWorker, completed);
        Assert.True(samples > 20, $"only {samples} pg_stat_activity samples in {elapsed}");
        Assert.True(maxClientPhysical > 0, "Npgsql's connection gauge was not observed");
        Assert.InRange(maxPhysical, 1, budget);

        // Every connection is closed: no evicted source is left undisposed, the cache is within capacity.
        Assert.True(factory.CachedCount <= capacity, $"cache holds {factory.CachedCount}");
        Assert.Equal(factory.CachedCount, factory.AliveDataSources);
        Assert.True(factory.BuiltDataSources > capacity);

        await factory.DisposeAsync();
        Assert.Equal(0, factory.AliveDataSources);
        Assert.Equal(budget, factory.FreeBudget);
        var deadline = Stopwatch.StartNew();
        while (await db.PhysicalConnectionsAsync(admin) > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await db.PhysicalConnectionsAsync(admin));
    }

    [Fact]
    public async Task OpenConnectionAsync_BudgetSpentByOpenConnections_ThrowsTypedAfterTheWaitTimeout()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o =>
        {
            o.ConnectionBudget = 2;
            o.BudgetWaitTimeout = TimeSpan.FromMilliseconds(300);
        });
        await using var first = await factory.OpenConnectionAsync(db.Tenant(0));
        await using var second = await factory.OpenConnectionAsync(db.Tenant(1));

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TenantConnectionBudgetExceededException>(async () => await factory.OpenConnectionAsync(db.Tenant(2)));

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(250), $"gave up after {stopwatch.Elapsed}");
        Assert.Equal(2, error.Budget);
        Assert.Equal(db.Tenant(2), error.TenantId);

        // Closing one connection frees its slot for another tenant (its idle physical connection is closed to make room).
        await second.DisposeAsync();
        await using var third = await factory.OpenConnectionAsync(db.Tenant(2));
        Assert.Equal(ConnectionState.Open, third.State);
    }
}
