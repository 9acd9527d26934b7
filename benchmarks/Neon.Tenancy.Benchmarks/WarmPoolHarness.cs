using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neon.Tenancy.Testing;
using Npgsql;

namespace Neon.Tenancy.Benchmarks;

/// <summary>
/// Sign-up latency with and without the warm pool, on the fake Neon set to realistic latencies: project creation
/// <see cref="ProjectCreation"/>, the first connection to a new or woken compute <see cref="ComputeStart"/>, a first
/// migration that takes <see cref="MigrationSleepSeconds"/>, an application role, and Neon's operations taking each of
/// the given durations (a role's password reset on an idle compute wakes it for a short while: Neon documents no
/// figure; a few hundred milliseconds is its wake time). Per scenario and operation duration: <c>ProvisionAsync</c> to
/// ready, then the tenant's first query through the connection factory, p50/p95/max over sequential sign-ups, plus a
/// burst of concurrent sign-ups on the pool.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- warm-pool [signups] [operation-ms...]</c>
/// (defaults: 20 sign-ups; 50 and 300 ms), with <c>NEON_TENANCY_TEST_POSTGRES</c> set to an admin connection string.
/// Writes <c>benchmarks/results/WarmPoolHarness.md</c>.
/// </remarks>
internal static class WarmPoolHarness
{
    private static readonly TimeSpan ProjectCreation = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ComputeStart = TimeSpan.FromSeconds(1.5);
    private const double MigrationSleepSeconds = 0.5;
    private const double TargetP50Milliseconds = 100;

    /// <summary>
    /// The pause before each sequential sign-up, not timed: Neon's account budget (700 requests/minute, a token bucket
    /// the client keeps, burst 10) refills 11.7 requests a second, and back-to-back sign-ups would measure that budget,
    /// not a sign-up's latency. The burst measures the budget on purpose.
    /// </summary>
    private static readonly TimeSpan Pace = TimeSpan.FromSeconds(1.5);

    private static readonly string FirstScript = string.Create(CultureInfo.InvariantCulture,
        $"CREATE TABLE todo (id int PRIMARY KEY, title text NOT NULL); SELECT pg_sleep({MigrationSleepSeconds})");

    public static async Task<int> RunAsync(string[] args)
    {
        var signups = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        int[] operationMilliseconds = args.Length > 2 ? [.. args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [50, 300];
        var admin = ConnectionBench.AdminConnectionString;
        var started = DateTimeOffset.UtcNow;
        var loadBefore = FleetMigrationHarness.LoadAverage();
        var postgresVersion = await FleetMigrationHarness.AdminScalarAsync<string>(admin, "SHOW server_version");
        var rows = new List<Row>();
        foreach (var operation in operationMilliseconds)
        {
            rows.AddRange(await RunScenarioAsync(admin, signups, TimeSpan.FromMilliseconds(operation)));
        }

        var report = Report(rows, signups, operationMilliseconds, started, loadBefore, FleetMigrationHarness.LoadAverage(), postgresVersion);
        var path = FleetMigrationHarness.ResultsPath("WarmPoolHarness.md");
        await File.WriteAllTextAsync(path, report);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine("Written to " + path);
        return 0;
    }

    private static async Task<List<Row>> RunScenarioAsync(string admin, int signups, TimeSpan operation)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Operations take {operation.TotalMilliseconds:0} ms..."));
        var catalogDatabase = "pool_bench_" + Guid.NewGuid().ToString("N")[..12];
        await FleetMigrationHarness.AdminExecuteAsync(admin, $"CREATE DATABASE \"{catalogDatabase}\"");
        var catalog = new NpgsqlConnectionStringBuilder(admin) { Database = catalogDatabase }.ConnectionString;
        var secrets = new TenantSecretOptions { CurrentKeyId = "k1", Keys = { ["k1"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) } };
        var fake = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            PostgresConnectionString = admin,
            OperationDuration = operation,
            ProjectCreationLatency = ProjectCreation,
            ComputeStartLatency = ComputeStart,
        });
        var rows = new List<Row>();
        try
        {
            await using (var cold = BuildHost(fake, catalog, "cold", secrets, poolSize: 0))
            {
                rows.Add(await SignUpAsync(cold, fake, "cold", "cold", operation, signups, concurrent: false));
            }

            await using (var pooled = BuildHost(fake, catalog, "pooled", secrets, poolSize: signups))
            {
                var pool = pooled.GetRequiredService<ITenantWarmPool>();
                var fill = Stopwatch.StartNew();
                var pass = await pool.ReplenishAsync();
                fill.Stop();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  pool filled: {pass.Created} projects in {fill.Elapsed.TotalSeconds:0.0} s ({pass.Failed} failed)"));
                await Task.Delay(TimeSpan.FromSeconds(3)); // the budget refills after the fill's requests
                var filled = fill.Elapsed.TotalSeconds;
                rows.Add(await SignUpAsync(pooled, fake, "pool", "claim", operation, signups, concurrent: false) with { FillSeconds = filled });

                await pool.ReplenishAsync();
                await Task.Delay(TimeSpan.FromSeconds(3)); // the budget refills after the refill's requests
                rows.Add(await SignUpAsync(pooled, fake, "pool", "burst", operation, signups, concurrent: true));
            }
        }
        finally
        {
            await fake.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await FleetMigrationHarness.AdminExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{catalogDatabase}\" WITH (FORCE)");
        }

        return rows;
    }

    /// <summary>Sign-ups one after another (or all at once), each timed to ready, then each tenant's first query.</summary>
    private static async Task<Row> SignUpAsync(ServiceProvider host, NeonFakeServer fake, string scenario, string name, TimeSpan operation, int signups, bool concurrent)
    {
        var provider = host.GetRequiredService<ITenantDatabaseProvider>();
        var connections = host.GetRequiredService<ITenantConnectionFactory>();
        var requestsBefore = fake.RequestLog.Count;
        var ids = Enumerable.Range(0, signups).Select(i => TenantId.Parse(string.Create(CultureInfo.InvariantCulture, $"{name}-{operation.TotalMilliseconds:0}-{i:D3}"))).ToArray();
        var provision = new double[signups];
        async Task ProvisionOneAsync(int i)
        {
            var clock = Stopwatch.StartNew();
            var record = await provider.ProvisionAsync(ids[i], new TenantProvisionRequest { Plan = "pro" });
            provision[i] = clock.Elapsed.TotalMilliseconds;
            if (record.State != TenantState.Ready)
            {
                throw new InvalidOperationException($"Tenant {ids[i]} is {record.State} after ProvisionAsync.");
            }
        }

        var wall = Stopwatch.StartNew();
        if (concurrent)
        {
            await Task.WhenAll(Enumerable.Range(0, signups).Select(i => Task.Run(() => ProvisionOneAsync(i))));
        }
        else
        {
            for (var i = 0; i < signups; i++)
            {
                await Task.Delay(Pace);
                await ProvisionOneAsync(i);
            }
        }

        wall.Stop();
        var requests = fake.RequestLog.Count - requestsBefore;
        if (Environment.GetEnvironmentVariable("WARM_POOL_TRACE") == "1")
        {
            foreach (var r in fake.RequestLog.Skip(requestsBefore).Take(12))
            {
                Console.WriteLine($"    {r.Timestamp:HH:mm:ss.fff} {r.Method} {r.Route} {r.StatusCode}");
            }
        }
        var firstQuery = new double[signups];
        for (var i = 0; i < signups; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var connection = await connections.OpenConnectionAsync(ids[i]);
            await using var command = new NpgsqlCommand("SELECT count(*) FROM todo", connection);
            await command.ExecuteScalarAsync();
            firstQuery[i] = clock.Elapsed.TotalMilliseconds;
        }

        var row = new Row(scenario, name, operation.TotalMilliseconds, signups, concurrent, Stats.Of(provision), Stats.Of(firstQuery), wall.Elapsed.TotalSeconds, (double)requests / signups);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: ProvisionAsync p50 {row.Provision.P50:0} ms, p95 {row.Provision.P95:0} ms, max {row.Provision.Max:0} ms; first query p50 {row.FirstQuery.P50:0} ms; {row.RequestsPerSignup:0.0} requests per sign-up"));
        return row;
    }

    /// <summary>One application instance: the real registration (PostgreSQL catalog, a migrator, an application role, plans), its API client pointed at the fake.</summary>
    private static ServiceProvider BuildHost(NeonFakeServer fake, string catalog, string schema, TenantSecretOptions secrets, int poolSize)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        services.AddNeonTenancy(o => o.Secrets = secrets)
            .ConfigureApi(fake.ConfigureApi)
            .UsePostgresCatalog(o =>
            {
                o.ConnectionString = catalog;
                o.Schema = schema + "_" + Guid.NewGuid().ToString("N")[..8];
            })
            .ConfigureProvisioning(o => o.ApplicationRoleName = "app")
            .ConfigurePlans(o =>
            {
                o.DefaultPlan = "free";
                o.Plans["free"] = new TenantPlan { ComputeHours = 5 };
                o.Plans["pro"] = new TenantPlan { ComputeHours = 50 };
            })
            .ConfigureMigrations(o => o.Checkpoint = false)
            .AddTenantMigrator(_ => new BenchScriptMigrator(FirstScript))
            .ConfigureWarmPool(o =>
            {
                o.Size = poolSize;
                o.ReplenishInterval = TimeSpan.FromHours(1); // the harness replenishes when it means to
                o.ReplenishParallelism = 4;
            });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static string Report(List<Row> rows, int signups, int[] operationMilliseconds, DateTimeOffset started, string loadBefore, string loadAfter, string postgresVersion)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        Line($"# WarmPoolHarness");
        Line($"");
        Line($"Recorded {started:yyyy-MM-dd HH:mm} UTC on {Environment.MachineName}: {Environment.ProcessorCount} cores (`nproc`), .NET {Environment.Version}, PostgreSQL {postgresVersion} (local, shared with the fake's databases and the catalog); load average before {loadBefore}, after {loadAfter} (1, 5, 15 minutes: the machine is shared).");
        Line($"");
        Line($"```sh");
        Line($"export NEON_TENANCY_TEST_POSTGRES=...   # an admin connection string");
        Line($"dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- warm-pool {signups} {string.Join(' ', operationMilliseconds)}");
        Line($"```");
        Line($"");
        Line($"The fake Neon with real PostgreSQL behind every project: project creation takes {ProjectCreation.TotalSeconds:0.0} s, the first connection to a new or suspended compute {ComputeStart.TotalSeconds:0.0} s (a loopback proxy per endpoint), Neon's operations the duration in the table. Every sign-up is plan `pro`; the migrator's first script sleeps {MigrationSleepSeconds} s; provisioning creates an application role. API client defaults (operation poll interval 1 s; a claim polls its own operations first after 20 ms, doubling). `cold`: the pool is off, each sign-up creates its project. `claim`: a pool of {signups} filled beforehand, sign-ups one after another, {Pace.TotalSeconds} s apart (untimed: the account's API budget, 700 requests/minute kept by the client as a token bucket of burst 10, refills between them). `burst`: the pool refilled, then {signups} sign-ups at once: bound by that budget, as a real burst is. *First query*: after `ProvisionAsync` returned, the tenant's first `SELECT` through the connection factory (a new data source; the compute's cold start where it is suspended).");
        Line($"");
        Line($"| Operations | Scenario | ProvisionAsync p50 | p95 | max | First query p50 | p95 | API requests per sign-up | Wall |");
        Line($"|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            Line($"| {row.OperationMs:0} ms | {row.Name} | {row.Provision.P50:0} ms | {row.Provision.P95:0} ms | {row.Provision.Max:0} ms | {row.FirstQuery.P50:0} ms | {row.FirstQuery.P95:0} ms | {row.RequestsPerSignup:0.0} | {row.WallSeconds:0.0} s |");
        }

        Line($"");
        foreach (var group in rows.GroupBy(r => r.OperationMs))
        {
            var cold = group.Single(r => r.Name == "cold");
            var claim = group.Single(r => r.Name == "claim");
            var met = claim.Provision.P50 < TargetP50Milliseconds ? "met" : "not met";
            Line($"- Operations of {group.Key:0} ms: with the pool, `ProvisionAsync` p50 {claim.Provision.P50:0} ms against {cold.Provision.P50:0} ms cold ({cold.Provision.P50 / claim.Provision.P50:0.0}x); target p50 < {TargetP50Milliseconds:0} ms {met}. Filling the pool of {signups} took {claim.FillSeconds:0.0} s. Time to the first query: {claim.Provision.P50 + claim.FirstQuery.P50:0} ms with the pool against {cold.Provision.P50 + cold.FirstQuery.P50:0} ms cold (p50s added).");
        }

        Line($"");
        Line($"A burst is bound by the account's API budget: {rows.Last(r => r.Name == "burst").RequestsPerSignup:0.0} requests per claim at 700 per minute (11.7 a second, burst 10) is about {rows.Last(r => r.Name == "burst").RequestsPerSignup / (700 / 60.0) * 1000:0} ms of budget per sign-up; {signups} at once wait for each other's permits. Neon accounts with a higher limit (the Agent plan) move that bound.");
        Line($"");
        Line($"A claim's critical path: the claim's catalog transaction, two password resets (owner and application role) each waited for (Neon keeps the old password valid until the reset's operation ends), one PATCH (name and plan; its configuration operation is not waited for), two catalog writes. So a claim costs about two operation durations plus a few round trips: the pool's target is met when Neon's operations end within a few tens of milliseconds, and is about {2:0} x the operation duration otherwise. A pool project's compute is suspended; the first query after a claim pays its cold start, as a cold sign-up's migration did.");
        return text.ToString();
    }

    private sealed record Row(string Scenario, string Name, double OperationMs, int SignUps, bool Concurrent, Stats Provision, Stats FirstQuery, double WallSeconds, double RequestsPerSignup)
    {
        public double FillSeconds { get; init; }
    }

    private sealed record Stats(double P50, double P95, double Max)
    {
        public static Stats Of(double[] values)
        {
            var sorted = values.Order().ToArray();
            double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            return new Stats(At(0.5), At(0.95), sorted[^1]);
        }
    }
}
