using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Neon.Tenancy.Benchmarks;

/// <summary>Shared set-up: a catalog of tenants whose secrets point at a connection string, and a factory over it.</summary>
internal static class ConnectionBench
{
    public static (InMemoryTenantCatalog Catalog, IConnectionSecretProtector Protector) Catalog(int tenants, Func<int, string> connectionString)
    {
        var catalog = new InMemoryTenantCatalog();
        var protector = new AesGcmConnectionSecretProtector(ConnectionSecretKeyRing.Create(new TenantSecretOptions
        {
            CurrentKeyId = "k1",
            Keys = { ["k1"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) },
        }));
        for (var i = 0; i < tenants; i++)
        {
            var id = TenantId.Parse($"t{i}");
            var record = catalog.ReserveAsync(new TenantReservation { TenantId = id, Plan = "free" }).GetAwaiter().GetResult().Record;
            catalog.UpdateAsync(record with
            {
                State = TenantState.Ready,
                PooledConnectionSecret = protector.Protect(id, ConnectionSecretKind.Pooled, connectionString(i)),
                DirectConnectionSecret = protector.Protect(id, ConnectionSecretKind.Direct, connectionString(i)),
            }).GetAwaiter().GetResult();
        }

        return (catalog, protector);
    }

    public static TenantConnectionFactory Factory(ITenantCatalog catalog, IConnectionSecretProtector protector, Action<TenantConnectionOptions>? configure = null)
    {
        var options = new TenantConnectionOptions();
        configure?.Invoke(options);
        return new TenantConnectionFactory(catalog, protector, Options.Create(options), TimeProvider.System);
    }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("Set NEON_TENANCY_TEST_POSTGRES to a PostgreSQL admin connection string (see benchmarks/README.md).");
}

/// <summary>
/// (1) <c>OpenConnectionAsync</c> on a cache hit against what a user would otherwise do: <c>OpenConnectionAsync</c> on
/// an <see cref="NpgsqlDataSource"/> they keep themselves, built with the same settings, on the same local database.
/// Both open a pooled connection (no network round trip) and close it.
/// </summary>
[MemoryDiagnoser]
public class ConnectionFactoryOpenBenchmarks
{
    private readonly string _database = "bench_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource _raw = null!;
    private TenantConnectionFactory _factory = null!;
    private TenantConnectionFactory _unbudgeted = null!;
    private TenantDataSourceEntry _entry = null!;
    private readonly TenantId _tenant = TenantId.Parse("t0");

    [GlobalSetup]
    public void Setup()
    {
        using (var admin = new NpgsqlConnection(ConnectionBench.AdminConnectionString))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", admin);
            create.ExecuteNonQuery();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionBench.AdminConnectionString) { Database = _database }.ConnectionString;
        var (catalog, protector) = ConnectionBench.Catalog(1, _ => connectionString);
        _factory = ConnectionBench.Factory(catalog, protector);
        _unbudgeted = ConnectionBench.Factory(catalog, protector, o => o.ConnectionBudget = 0);
        _raw = TenantDataSourceBuilder.Build(_tenant, TenantConnectionKind.Pooled, connectionString, new TenantConnectionOptions());
        RawDataSource().AsTask().GetAwaiter().GetResult();
        Factory().AsTask().GetAwaiter().GetResult();
        FactoryWithoutBudget().AsTask().GetAwaiter().GetResult();
        _entry = _factory.PeekEntry(_tenant, TenantConnectionKind.Pooled)!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _factory.Dispose();
        _unbudgeted.Dispose();
        _raw.Dispose();
        using var admin = new NpgsqlConnection(ConnectionBench.AdminConnectionString);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }

    [Benchmark(Baseline = true, Description = "NpgsqlDataSource.OpenConnectionAsync")]
    public async ValueTask<int> RawDataSource()
    {
        await using var connection = await _raw.OpenConnectionAsync();
        return connection.ProcessID;
    }

    /// <summary>
    /// Elimination variant: the raw open plus the one thing the factory cannot avoid on top of the lookup and the
    /// reference count, the <c>StateChange</c> subscription that sees the close (subscribed on open, removed on close).
    /// </summary>
    [Benchmark(Description = "raw + StateChange close hook")]
    public async ValueTask<int> RawWithCloseHook()
    {
        await using var connection = await _raw.OpenConnectionAsync();
        connection.StateChange += CloseHook;
        return connection.ProcessID;
    }

    private static readonly System.Data.StateChangeEventHandler CloseHook = static (sender, e) =>
    {
        if (e.CurrentState != System.Data.ConnectionState.Open && sender is NpgsqlConnection connection)
        {
            connection.StateChange -= CloseHook;
        }
    };

    /// <summary>Elimination variant: the raw open on the data source the factory built (is the factory's source itself slower?).</summary>
    [Benchmark(Description = "raw open on the factory's data source")]
    public async ValueTask<int> FactorySourceRaw()
    {
        await using var connection = await _entry.DataSource.OpenConnectionAsync();
        return connection.ProcessID;
    }

    /// <summary>
    /// Elimination variant: what the factory does on a hit, minus the cache lookup and the metrics: the entry's lock-free
    /// acquire, Npgsql's open, the close hook, and the release the hook triggers on close.
    /// </summary>
    [Benchmark(Description = "raw + entry acquire/attach/release")]
    public async ValueTask<int> RawWithEntry()
    {
        var entry = _entry;
        entry.TryAcquire(out _);
        await using var connection = await entry.DataSource.OpenConnectionAsync();
        entry.Attach(connection);
        return connection.ProcessID;
    }

    /// <summary>Elimination variant: the previous one plus the factory's cache lookup (its metrics and wrappers are what is left).</summary>
    [Benchmark(Description = "lookup + entry acquire/attach/release")]
    public async ValueTask<int> LookupWithEntry()
    {
        var entry = _factory.PeekEntry(_tenant, TenantConnectionKind.Pooled)!;
        entry.TryAcquire(out _);
        await using var connection = await entry.DataSource.OpenConnectionAsync();
        entry.Attach(connection);
        return connection.ProcessID;
    }

    [Benchmark(Description = "ITenantConnectionFactory.OpenConnectionAsync (hit)")]
    public async ValueTask<int> Factory()
    {
        await using var connection = await _factory.OpenConnectionAsync(_tenant);
        return connection.ProcessID;
    }

    /// <summary>Elimination variant: the floor of the budget-free path, the factory's cache lookup and Npgsql's open, nothing else.</summary>
    [Benchmark(Description = "lookup + raw open")]
    public async ValueTask<int> LookupWithRawOpen()
    {
        await using var connection = await _unbudgeted.PeekEntry(_tenant, TenantConnectionKind.Pooled)!.DataSource.OpenConnectionAsync();
        return connection.ProcessID;
    }

    /// <summary>The hit path without a global budget (<c>ConnectionBudget = 0</c>): the lookup and Npgsql's open.</summary>
    [Benchmark(Description = "ITenantConnectionFactory.OpenConnectionAsync (hit, no budget)")]
    public async ValueTask<int> FactoryWithoutBudget()
    {
        await using var connection = await _unbudgeted.OpenConnectionAsync(_tenant);
        return connection.ProcessID;
    }
}

/// <summary>
/// (2) The lookup alone: the cache hit (a <c>ConcurrentLru</c> lookup with a struct key) and the hit plus the
/// reference-count bookkeeping every open does, against a plain <c>ConcurrentDictionary</c> lookup (what a hand-written
/// tenant-to-data-source map costs). Data sources are built but never connect.
/// </summary>
[MemoryDiagnoser]
public class ConnectionFactoryLookupBenchmarks
{
    private readonly TenantId _tenant = TenantId.Parse("t7");
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TenantId, NpgsqlDataSource> _dictionary = new();
    private TenantConnectionFactory _factory = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (catalog, protector) = ConnectionBench.Catalog(100, i => $"Host=localhost;Database=db{i};Username=u;Password=p");
        _factory = ConnectionBench.Factory(catalog, protector);
        for (var i = 0; i < 100; i++)
        {
            var id = TenantId.Parse($"t{i}");
            _factory.AcquireEntryAsync(new TenantConnectionKey(id, TenantConnectionKind.Pooled), default).GetAwaiter().GetResult().Release();
            _dictionary[id] = _factory.PeekEntry(id, TenantConnectionKind.Pooled)!.DataSource;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _factory.Dispose();

    [Benchmark(Baseline = true, Description = "ConcurrentDictionary.TryGetValue")]
    public NpgsqlDataSource? Dictionary() => _dictionary.TryGetValue(_tenant, out var dataSource) ? dataSource : null;

    [Benchmark(Description = "cache hit")]
    public NpgsqlDataSource? Lookup() => _factory.PeekEntry(_tenant, TenantConnectionKind.Pooled)?.DataSource;

    [Benchmark(Description = "cache hit + acquire/release")]
    public bool LookupAndCount()
    {
        var entry = _factory.PeekEntry(_tenant, TenantConnectionKind.Pooled);
        if (entry is null || !entry.TryAcquire(out _))
        {
            return false;
        }

        entry.Release();
        return true;
    }
}

/// <summary>
/// (3) Zipf-distributed access (s = 1) over 10,000 tenants with a cache of 1,000 data sources: one operation is
/// 100,000 lookups (built on a miss, single-flight, from an in-memory catalog; no connection is opened). The hit ratio
/// and data-source builds per second are printed after the run ("// Zipf:" lines in the log).
/// </summary>
[MemoryDiagnoser]
public class ConnectionFactoryZipfBenchmarks
{
    private const int Tenants = 10_000;
    private const int Lookups = 100_000;
    private TenantId[] _sequence = null!;
    private TenantConnectionFactory _factory = null!;
    private long _lookups;
    private long _misses;
    private long _builtAtStart;
    private System.Diagnostics.Stopwatch _clock = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (catalog, protector) = ConnectionBench.Catalog(Tenants, i => $"Host=localhost;Database=db{i};Username=u;Password=p");
        _factory = ConnectionBench.Factory(catalog, protector, o =>
        {
            o.Capacity = 1000;
            o.ConnectionBudget = 100_000; // Every cached entry holds a slot after its first acquire; not what is measured here.
        });

        // Zipf(s = 1) over ranks 1..N by inverse CDF, from a fixed seed.
        var cdf = new double[Tenants];
        var sum = 0.0;
        for (var k = 0; k < Tenants; k++)
        {
            sum += 1.0 / (k + 1);
            cdf[k] = sum;
        }

        var random = new Random(42);
        var ids = Enumerable.Range(0, Tenants).Select(i => TenantId.Parse($"t{i}")).ToArray();
        _sequence = new TenantId[Lookups];
        for (var i = 0; i < Lookups; i++)
        {
            var rank = Array.BinarySearch(cdf, random.NextDouble() * sum);
            _sequence[i] = ids[rank < 0 ? ~rank : rank];
        }

        _builtAtStart = _factory.BuiltDataSources;
        _clock = System.Diagnostics.Stopwatch.StartNew();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var elapsed = _clock.Elapsed.TotalSeconds;
        var built = _factory.BuiltDataSources - _builtAtStart;
        Console.WriteLine($"// Zipf: {_lookups} lookups, hit ratio {1.0 - ((double)_misses / _lookups):P2}, {built} data sources built ({built / elapsed:0} builds/s over {elapsed:0.0} s wall clock including BenchmarkDotNet overhead), {_factory.CachedCount} cached, {_factory.AliveDataSources} alive");
        _factory.Dispose();
    }

    [Benchmark(Description = "100,000 Zipf lookups (10,000 tenants, capacity 1,000)")]
    public int ZipfLookups()
    {
        var misses = 0;
        foreach (var tenant in _sequence)
        {
            var key = new TenantConnectionKey(tenant, TenantConnectionKind.Pooled);
            var entry = _factory.PeekEntry(tenant, TenantConnectionKind.Pooled);
            if (entry is null || !entry.TryAcquire(out _))
            {
                misses++;
                entry = _factory.AcquireEntryAsync(key, default).GetAwaiter().GetResult();
            }

            entry.Release();
        }

        _lookups += _sequence.Length;
        _misses += misses;
        return misses;
    }
}
