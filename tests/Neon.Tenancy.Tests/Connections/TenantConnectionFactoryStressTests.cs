using Xunit.Abstractions;
using System.Diagnostics.Metrics;
using System.Data;
using System.Collections.Concurrent;
using System.Diagnostics;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;
using Neon.Tenancy.Tests.Shared;

namespace Neon.Tenancy.Tests.Connections;

[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryStressTests(TenantDatabasesFixture db, ITestOutputHelper output)
{
    /// <summary>
    /// This test's physical connections: the server side of each socket as the kernel's TCP table shows it, joined with
    /// pg_stat_activity (this factory's application_name in this fixture's databases; '' while a backend starts up) to
    /// pick out this factory's connections. Two ways: <paramref name="frozen"/> (opens held by the sampler's gate, the
    /// TCP table read before the snapshot: exact, asserted) and running (opens going on, the TCP table read after the
    /// snapshot: printed only, see below).
    /// </summary>
    /// <remarks>
    /// <para>Why not pg_stat_activity alone (what this test asserted with a slack of 2 before): Npgsql closes a
    /// physical connection synchronously (Terminate message, socket closed) before the factory gives its budget slot
    /// back, and opens one only after taking a slot; but a backend leaves pg_stat_activity only once it has been
    /// scheduled, read the Terminate message and exited. On a loaded 2-core machine a snapshot regularly shows the
    /// backend of a just-closed connection next to the one that took over its slot: 9 rows for a budget of 8, the ninth
    /// already closed by its client (its server socket in CLOSE_WAIT, not ESTABLISHED). Filtering those out while
    /// opens keep going is not exact either (a connection closed between the two reads is missed), hence the gate.</para>
    /// <para>Frozen: with opens held, the physical connections can only decrease (closes still happen: a retired
    /// source disposed when its last connection closes, pruning), so counting the snapshot's backends whose server
    /// socket was ESTABLISHED just before the snapshot gives at most the count at the freeze and at least the count at
    /// the end of the snapshot, so it can exceed the budget only if the factory did. Running: a backend in the snapshot
    /// whose socket is still ESTABLISHED after it; it was observed at 9 for a budget of 8 in 1 run of 2 (a
    /// connection opened between the two reads on the client port of a backend still exiting in the snapshot would do
    /// that; it was not proven), so it is printed, not asserted. Without <c>/proc/net/tcp</c> (not Linux) every
    /// snapshot row counts.</para>
    /// </remarks>
    private async Task<(long Live, long ClosedByClient)> LiveBackendsAsync(NpgsqlDataSource admin, string applicationName, int serverPort, bool frozen)
    {
        var linux = File.Exists("/proc/net/tcp");
        var established = linux && frozen ? TcpSockets.EstablishedClientPorts(serverPort) : null;
        var ports = new List<int>();
        await using (var command = admin.CreateCommand("SELECT client_port FROM pg_stat_activity WHERE datname LIKE $1 AND application_name IN ($2, '') AND client_port IS NOT NULL"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = db.Prefix + "\\_%" });
            command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ports.Add(reader.GetInt32(0));
            }
        }

        if (linux && !frozen)
        {
            established = TcpSockets.EstablishedClientPorts(serverPort);
        }

        // Distinct: a backend still exiting and a new connection can share a client port (the kernel reuses a port in
        // TIME_WAIT on loopback after a second); one ESTABLISHED socket is one connection.
        var live = established is null ? ports.Count : ports.Distinct().Count(established.Contains);
        return (live, ports.Count - live);
    }

    /// <summary>Holds new opens (the sampler's freeze) and waits for those in flight; closes are never held.</summary>
    private sealed class OpenGate
    {
        private readonly SemaphoreSlim _admit = new(1, 1);
        private int _inFlight;

        public async Task EnterAsync()
        {
            await _admit.WaitAsync();
            Interlocked.Increment(ref _inFlight);
            _admit.Release();
        }

        public void Exit() => Interlocked.Decrement(ref _inFlight);

        public async Task FreezeAsync()
        {
            await _admit.WaitAsync();
            while (Volatile.Read(ref _inFlight) > 0)
            {
                await Task.Delay(1);
            }
        }

        public void Thaw() => _admit.Release();
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
        var serverPort = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString).Port;

        // Two views of the physical connections: the server's (asserted, see LiveBackendsAsync) and the client's
        // (Npgsql's own pool gauge summed over idle and used; printed only: it counts every pool of that name in the
        // process, other tests' included).
        long maxPhysical = 0;
        long maxExiting = 0;
        var overBudgetWithExiting = 0;
        long maxClientPhysical = 0;
        long clientPhysical = 0;
        var samples = 0;
        var frozenSamples = 0;
        long maxFrozen = 0;
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

        var gate = new OpenGate();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Every fourth sample with opens held (exact but slow: in-flight opens drain first), the others running.
                var frozen = samples % 4 == 0;
                if (frozen)
                {
                    await gate.FreezeAsync();
                }

                long live, exiting;
                try
                {
                    Interlocked.Exchange(ref clientPhysical, 0);
                    listener.RecordObservableInstruments();
                    maxClientPhysical = Math.Max(maxClientPhysical, Interlocked.Read(ref clientPhysical));
                    (live, exiting) = await LiveBackendsAsync(admin, applicationName, serverPort, frozen);
                }
                finally
                {
                    if (frozen)
                    {
                        gate.Thaw();
                    }
                }

                if (frozen)
                {
                    frozenSamples++;
                    maxFrozen = Math.Max(maxFrozen, live);
                }

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
                    NpgsqlConnection opened;
                    await gate.EnterAsync();
                    try
                    {
                        opened = await factory.OpenConnectionAsync(db.Tenant(tenant), kind);
                    }
                    finally
                    {
                        gate.Exit();
                    }

                    await using var connection = opened;
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

        output.WriteLine($"{completed} opens in {elapsed}; max live physical connections: {maxFrozen} in {frozenSamples} samples with opens held (asserted), {maxPhysical} in all samples (this factory's backends with an ESTABLISHED socket); max backends already closed by their client but still in pg_stat_activity: {maxExiting}; samples that pg_stat_activity alone would put over the budget: {overBudgetWithExiting}; {maxClientPhysical} (Npgsql gauge, every neon-tenancy pool in the process); budget {budget}; {samples} samples; {factory.BuiltDataSources} data sources built");
        Assert.Empty(errors);
        Assert.Equal(workers * opensPerWorker, completed);
        Assert.True(samples > 20 && frozenSamples > 5, $"only {samples} samples ({frozenSamples} with opens held) in {elapsed}");
        Assert.True(maxClientPhysical > 0, "Npgsql's connection gauge was not observed");
        Assert.InRange(maxFrozen, 1, budget);

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
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var log = new LogEvents();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o =>
        {
            o.ConnectionBudget = 2;
            o.BudgetWaitTimeout = TimeSpan.FromMilliseconds(300);
        }, time, loggerFactory: log.Factory);
        await using var first = await factory.OpenConnectionAsync(db.Tenant(0));
        await using var second = await factory.OpenConnectionAsync(db.Tenant(1));

        var waiting = factory.OpenConnectionAsync(db.Tenant(2)).AsTask();
        await log.WaitForAsync(LogEvents.WaitingForBudget).WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<TenantConnectionBudgetExceededException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(error.Waited >= TimeSpan.FromMilliseconds(300), $"gave up after {error.Waited}");
        Assert.Equal(2, error.Budget);
        Assert.Equal(db.Tenant(2), error.TenantId);

        // Closing one connection frees its slot for another tenant (its idle physical connection is closed to make room).
        await second.DisposeAsync();
        await using var third = await factory.OpenConnectionAsync(db.Tenant(2));
        Assert.Equal(ConnectionState.Open, third.State);
    }
}
