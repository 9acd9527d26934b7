using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Npgsql;

namespace Neon.Tenancy.Benchmarks;

/// <summary>
/// Stress harness for fleet schema migrations: a few hundred tenants on the fake Neon (real PostgreSQL behind every
/// project, operations that take <see cref="OperationDuration"/>, Neon's 700 requests/minute enforced by the fake and
/// kept by the client) migrated one version per run at each parallelism, checkpoint first (a real snapshot per tenant).
/// Per run: wall time, tenants/minute, speedup over the serial run, the API requests and their rate, how busy the fake
/// was, the machine's CPU, and the tenant databases' backends sampled from <c>pg_stat_activity</c> every 50 ms against
/// the connection budget; the bound that limits each run is named from those numbers.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- fleet-migrate [tenants] [parallelisms...]</c>
/// (defaults: 200 tenants; 1 4 16), with <c>NEON_TENANCY_TEST_POSTGRES</c> set to an admin connection string. After the
/// runs with the wide budget (<see cref="WideBudget"/>), one more run asks for the largest parallelism under a budget of
/// <see cref="NarrowBudget"/>, to show the budget bound. Writes <c>benchmarks/results/FleetMigrationHarness.md</c>.
/// </remarks>
internal static class FleetMigrationHarness
{
    /// <summary>How long each fake Neon operation takes: Neon's snapshots, restores and compute starts take about a second or more.</summary>
    private static readonly TimeSpan OperationDuration = TimeSpan.FromSeconds(1);

    /// <summary>The budget of the main runs: the engine caps parallelism at half of it, so 40 leaves 16 uncapped.</summary>
    private const int WideBudget = 40;

    /// <summary>The budget of the extra run: half of it (4) caps the parallelism.</summary>
    private const int NarrowBudget = 8;

    private const int ProvisioningParallelism = 8;
    private const int RequestsPerMinute = 700; // Neon's default account budget
    private const int FakeBucketCapacity = 20; // Neon's limiter is a token bucket; its burst is not published: above the client's 10
    private const double MigrationSleepSeconds = 0.3;
    private const double Target = 0.75;
    private const double Saturated = 0.85; // a budget used this much (or more) is the one that limits

    private const string FirstScript = "CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 100) g";

    public static async Task<int> RunAsync(string[] args)
    {
        var tenantCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        int[] parallelisms = args.Length > 2 ? [.. args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [1, 4, 16];
        var admin = ConnectionBench.AdminConnectionString;
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        var postgresVersion = await AdminScalarAsync<string>(admin, "SHOW server_version");

        var catalogDatabase = "fleet_bench_" + Guid.NewGuid().ToString("N")[..12];
        await AdminExecuteAsync(admin, $"CREATE DATABASE \"{catalogDatabase}\"");
        var catalogConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = catalogDatabase }.ConnectionString;
        var schema = "fleet_" + Guid.NewGuid().ToString("N")[..8];
        var secrets = new TenantSecretOptions { CurrentKeyId = "k1", Keys = { ["k1"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) } };
        var migrator = new BenchScriptMigrator(FirstScript);
        var warnings = new WarningTally();

        // Ctrl+C or SIGTERM stops starting tenants and goes to the clean-up (the fake's databases and the catalog are dropped).
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });

        NeonFakeServer? fake = null;
        var hosts = new List<ServiceProvider>();
        try
        {
            fake = NeonFakeServer.Start(new NeonFakeServerOptions
            {
                PostgresConnectionString = admin,
                OperationDuration = OperationDuration,
                EnforceRateLimits = true,
                RequestsPerMinute = RequestsPerMinute,
                AccountBucketCapacity = FakeBucketCapacity,
            });

            var wideMeter = new NeonRequestMeter();
            var wide = BuildHost(fake, catalogConnectionString, schema, secrets, migrator, WideBudget, wideMeter, warnings);
            hosts.Add(wide);

            // Provisioning, once: each tenant is created at version 1 through the migrator (the initializer).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Provisioning {tenantCount} tenants, {ProvisioningParallelism} at a time..."));
            var provider = wide.GetRequiredService<ITenantDatabaseProvider>();
            var records = new ConcurrentBag<TenantRecord>();
            var provisioning = Stopwatch.StartNew();
            var provisionRequests = fake.RequestLog.Count;
            await Parallel.ForEachAsync(Enumerable.Range(0, tenantCount), new ParallelOptions { MaxDegreeOfParallelism = ProvisioningParallelism, CancellationToken = stop.Token }, async (i, token) =>
            {
                records.Add(await provider.ProvisionAsync(TenantId.Parse(string.Create(CultureInfo.InvariantCulture, $"bench-{i:D4}")), new TenantProvisionRequest { Plan = "free" }, token));
                if (records.Count % 25 == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {records.Count}/{tenantCount} provisioned ({provisioning.Elapsed.TotalSeconds:0} s)"));
                }
            });
            provisioning.Stop();
            provisionRequests = fake.RequestLog.Count - provisionRequests;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Provisioned {records.Count} tenants in {provisioning.Elapsed.TotalSeconds:0.0} s ({provisionRequests} API requests)."));

            // The fake names each project's real database {project id}_{database}; the catalog's database is ours.
            var tenantDatabases = new List<string>();
            foreach (var record in records)
            {
                tenantDatabases.Add(await fake.GetPostgresDatabaseNameAsync(record.ProjectId!, record.DatabaseName!)
                    ?? throw new InvalidOperationException($"The fake has no PostgreSQL database for tenant {record.TenantId}."));
            }

            var rows = new List<RunRow>();
            var budgets = new List<(ServiceProvider Host, NeonRequestMeter Meter, int Budget, int Parallelism)>();
            budgets.AddRange(parallelisms.Select(p => (wide, wideMeter, WideBudget, p)));
            var narrowMeter = new NeonRequestMeter();
            var narrow = BuildHost(fake, catalogConnectionString, schema, secrets, migrator, NarrowBudget, narrowMeter, warnings);
            hosts.Add(narrow);
            budgets.Add((narrow, narrowMeter, NarrowBudget, parallelisms.Max()));

            foreach (var (host, meter, budget, parallelism) in budgets)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), stop.Token); // the rate budgets refill between runs
                rows.Add(await MigrateOnceAsync(host, fake, meter, migrator, warnings, admin, catalogDatabase, tenantDatabases, budget, parallelism, tenantCount, stop.Token));
                if (stop.IsCancellationRequested)
                {
                    Console.WriteLine("Stopped: no report written.");
                    return 2;
                }
            }

            var loadAfter = LoadAverage();
            var report = Report(rows, tenantCount, parallelisms, provisioning.Elapsed, provisionRequests, started, loadBefore, loadAfter, postgresVersion, warnings);
            Console.WriteLine();
            Console.WriteLine(report);
            var path = ResultsPath();
            await File.WriteAllTextAsync(path, report);
            Console.WriteLine($"Written to {path}");
            return rows.All(r => r.Succeeded == tenantCount) ? 0 : 1;
        }
        finally
        {
            var cleanup = Stopwatch.StartNew();
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            if (fake is not null)
            {
                await fake.DisposeAsync(); // drops every database (tenants and snapshot copies) and role the fake created
            }

            NpgsqlConnection.ClearAllPools();
            await AdminExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{catalogDatabase}\" WITH (FORCE)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Cleaned up (hosts, the fake's databases and roles, {catalogDatabase}) in {cleanup.Elapsed.TotalSeconds:0} s."));
        }
    }

    /// <summary>One instance of the application: the real registration, its API client pointed at the fake, with the fake's budgets.</summary>
    private static ServiceProvider BuildHost(NeonFakeServer fake, string catalogConnectionString, string schema, TenantSecretOptions secrets,
        BenchScriptMigrator migrator, int budget, NeonRequestMeter meter, WarningTally warnings)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().AddProvider(warnings).SetMinimumLevel(LogLevel.Warning));
        services.AddNeonTenancy(o => o.Secrets = secrets)
            .ConfigureApi(o =>
            {
                fake.ConfigureApi(o);
                o.RateLimit.RequestsPerMinute = RequestsPerMinute;
                o.RateLimit.RequestsPerSecondPerRoute = 40; // Neon's, as the fake's default
            })
            .UsePostgresCatalog(o =>
            {
                o.ConnectionString = catalogConnectionString;
                o.Schema = schema;
            })
            .ConfigureConnections(o => o.ConnectionBudget = budget)
            .ConfigureMigrations(o => o.Checkpoint = true)
            .AddTenantMigrator(_ => migrator);

        // Innermost handler of the API client: sees each attempt after its rate-limit permit, as the fake receives it.
        services.AddHttpClient(NeonApiClient.HttpClientName).AddHttpMessageHandler(() => meter);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static async Task<RunRow> MigrateOnceAsync(ServiceProvider host, NeonFakeServer fake, NeonRequestMeter meter, BenchScriptMigrator migrator,
        WarningTally warnings, string admin, string catalogDatabase, IReadOnlyList<string> tenantDatabases, int budget, int parallelism, int tenantCount, CancellationToken cancellationToken)
    {
        var version = migrator.AddScript(string.Create(CultureInfo.InvariantCulture,
            $"SELECT pg_sleep({MigrationSleepSeconds}); ALTER TABLE items ADD COLUMN c{migrator.TargetVersion + 1} int DEFAULT 0"));
        var runId = string.Create(CultureInfo.InvariantCulture, $"bench-v{version}-p{parallelism}-b{budget}");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Run {runId}: {tenantCount} tenants to version {version}, MaxParallelism {parallelism}, budget {budget}..."));

        var migrations = host.GetRequiredService<ITenantMigrations>();
        var logBefore = fake.RequestLog.Count;
        var warningsBefore = warnings.Total;
        var migratedBefore = migrator.Migrated;
        var cpuBefore = CpuTimes();
        var processCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var loadBefore = LoadAverage();
        meter.Reset();
        await using var sampler = await BackendSampler.StartAsync(admin, tenantDatabases, catalogDatabase, () => migrator.Migrated - migratedBefore, tenantCount);
        var clock = Stopwatch.StartNew();
        var result = await migrations.MigrateAsync(new FleetRunOptions { RunId = runId, MaxParallelism = parallelism }, cancellationToken: cancellationToken);
        clock.Stop();
        var backends = await sampler.StopAsync();
        var cpuAfter = CpuTimes();
        var http = meter.Read();
        var log = fake.RequestLog.Skip(logBefore).ToList();

        var durations = result.Tenants.Where(t => t is { StartedAt: not null, EndedAt: not null }).Select(t => (t.EndedAt!.Value - t.StartedAt!.Value).TotalSeconds).ToList();
        var row = new RunRow
        {
            RunId = runId,
            Budget = budget,
            Requested = parallelism,
            Used = result.Parallelism,
            UsedBound = result.ParallelismBound ?? "?",
            State = result.State,
            Succeeded = result.Progress.Succeeded,
            Parked = result.Progress.Parked,
            Errors = [.. result.Tenants.Where(t => t.Error is not null).Select(t => $"{t.TenantId}: {t.Error}").Take(3)],
            Wall = clock.Elapsed,
            MedianTenantSeconds = Percentile(durations, 0.5),
            Requests = log.Count,
            Throttled = log.Count(r => r.StatusCode == 429),
            OtherFailures = log.Count(r => r.StatusCode >= 400 && r.StatusCode != 429),
            Routes = log.GroupBy(r => r.Route ?? r.Path).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            FakeBusySeconds = http.BusySeconds,
            SnapshotSeconds = http.MeanSeconds("POST projects/{id}/branches/{id}/snapshot"),
            MaxTenantBackends = backends.MaxTenant,
            MeanTenantBackends = backends.MeanTenant,
            MaxCatalogBackends = backends.MaxCatalog,
            MaxServerBackends = backends.MaxServerOwn,
            MaxLockSessions = backends.MaxLockSessions,
            Samples = backends.Samples,
            MachineCpuBusy = cpuAfter.BusyShareSince(cpuBefore),
            ProcessCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - processCpuBefore).TotalSeconds,
            LoadBefore = loadBefore,
            LoadAfter = LoadAverage(),
            Warnings = warnings.Total - warningsBefore,
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {row.State}: {row.Succeeded} succeeded, {row.Parked} parked in {row.Wall.TotalSeconds:0.0} s ({row.TenantsPerMinute:0.0}/min); parallelism {row.Used} ({row.UsedBound}); " +
            $"{row.Requests} API requests ({row.RequestsPerTenant:0.00}/tenant, {row.RequestsPerMinute:0}/min, {row.Throttled} answered 429); fake busy {row.FakeBusyShare:P0}; " +
            $"tenant backends max {row.MaxTenantBackends} (budget {budget}, {row.Samples} samples); machine CPU {row.MachineCpuBusy:P0}; {row.Warnings} warnings"));
        foreach (var error in row.Errors)
        {
            Console.WriteLine("  error: " + error);
        }

        return row;
    }

    private static string Report(List<RunRow> rows, int tenantCount, int[] parallelisms, TimeSpan provisioning, int provisionRequests, DateTimeOffset started,
        string loadBefore, string loadAfter, string postgresVersion, WarningTally warnings)
    {
        var serial = rows.FirstOrDefault(r => r.Used == 1) ?? rows[0];
        var baseline = serial.TenantsPerMinute / serial.Used; // throughput of one worker
        var ratePerSecond = RequestsPerMinute / 60.0;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        Line($"# FleetMigrationHarness");
        Line($"");
        Line($"Recorded {started:yyyy-MM-dd HH:mm} UTC on {Environment.MachineName}: {Environment.ProcessorCount} cores (`nproc`), .NET {Environment.Version}, PostgreSQL {postgresVersion} (local, shared with the fake's databases and the catalog); load average before {loadBefore}, after {loadAfter} (1, 5, 15 minutes: the machine is shared).");
        Line($"");
        Line($"```sh");
        Line($"export NEON_TENANCY_TEST_POSTGRES=...   # an admin connection string");
        Line($"dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- fleet-migrate {tenantCount} {string.Join(' ', parallelisms)}");
        Line($"```");
        Line($"");
        Line($"**Setup.** {tenantCount} tenants on `NeonFakeServer` with a real PostgreSQL database per project; every Neon operation takes {OperationDuration.TotalSeconds:0.#} s (`OperationDuration`), Neon's {RequestsPerMinute} requests/minute ({ratePerSecond:0.00}/s) is enforced by the fake (`EnforceRateLimits`, a token bucket of {FakeBucketCapacity}) and kept by the client (`NeonRateLimitOptions`: {RequestsPerMinute}/min, burst 10; operations polled every second, the default). One application instance: `AddNeonTenancy` with `UsePostgresCatalog` (a fresh schema in a fresh database), `AddTenantMigrator` with a script migrator (`app_migrations` history, one transaction per script; each new script is `SELECT pg_sleep({MigrationSleepSeconds}); ALTER TABLE items ADD COLUMN ...`), `TenantMigrationOptions.Checkpoint = true` (the default: a Neon snapshot per tenant before its migration, a real `CREATE DATABASE ... TEMPLATE` copy in the fake), `ConnectionBudget = {WideBudget}` (the engine uses at most half: 16 is not capped), then one run asking for {parallelisms.Max()} under `ConnectionBudget = {NarrowBudget}`. Tenants were provisioned once, {ProvisioningParallelism} at a time ({provisioning.TotalSeconds:0} s, {provisionRequests} API requests); each run adds one script and migrates every tenant to it under a new run id.");
        Line($"");
        Line($"| Run | Budget | P asked | P used (bound) | Wall | Tenants/min | Speedup vs P=1 | Speedup / P used | >= {Target} x P | Median s/tenant | API requests/tenant | API requests/min (of {RequestsPerMinute}) | 429s | Fake busy | Machine CPU | Load average before -> after | Max tenant backends (budget) | Limiting bound |");
        Line($"|---|---:|---:|---|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---|---:|---|");
        foreach (var row in rows)
        {
            var speedup = row.TenantsPerMinute / serial.TenantsPerMinute;
            var efficiency = row.TenantsPerMinute / (baseline * row.Used);
            Line($"| `{row.RunId}` | {row.Budget} | {row.Requested} | {row.Used} ({row.UsedBound}) | {row.Wall.TotalSeconds:0.0} s | {row.TenantsPerMinute:0.0} | {speedup:0.00}x | {speedup / row.Used:0.00} | {(ReferenceEquals(row, serial) ? "-" : efficiency >= Target ? "yes" : "**no**")} | {row.MedianTenantSeconds:0.00} | {row.RequestsPerTenant:0.00} | {row.RequestsPerMinute:0} ({row.RequestsPerMinute / RequestsPerMinute:P0}) | {row.Throttled} | {row.FakeBusyShare:P0} | {row.MachineCpuBusy:P0} | {row.LoadBefore} -> {row.LoadAfter} | {row.MaxTenantBackends} ({row.Budget}) | {Bound(row, serial, baseline)} |");
        }

        Line($"");
        Line($"Columns: *Fake busy* is the share of the run with at least one API request in flight (after its rate-limit permit); the fake answers one request at a time, so this is its utilisation. *Machine CPU* is from `/proc/stat` over the run (every process on the machine). *Max tenant backends* is the most client backends (`pg_stat_activity` rows with `backend_type = 'client backend'`: connections) on the tenants' databases (`{{project id}}_{{database}}`, as the fake names them) in samples every 50 ms. Caps per run, from its own numbers: the rate budget allows {RequestsPerMinute} / (requests per tenant) tenants/min; the fake allows (tenants / busy seconds) x 60 tenants/min if it were busy all the time; the workers allow P used x {baseline:0.0} tenants/min (the serial run's rate per worker).");
        Line($"");
        Line($"| Run | Rate-budget cap (tenants/min) | Fake cap (tenants/min) | Worker cap (tenants/min) | Achieved | Achieved / lowest cap | Snapshot request, mean | Mean tenant backends | Max catalog backends (tenant-lock sessions) | Max autovacuum on tenant DBs | Harness CPU | Requests by route |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            var routes = string.Join("; ", row.Routes.OrderByDescending(r => r.Value).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}: {r.Value}")));
            Line($"| `{row.RunId}` | {row.RateCap:0} | {row.FakeCap:0} | {baseline * row.Used:0} | {row.TenantsPerMinute:0} | {row.TenantsPerMinute / Math.Min(Math.Min(row.RateCap, row.FakeCap), baseline * row.Used):P0} | {row.SnapshotSeconds * 1000:0} ms | {row.MeanTenantBackends:0.0} | {row.MaxCatalogBackends} ({row.MaxLockSessions}) | {row.MaxServerBackends} | {row.ProcessCpuSeconds:0} s | {routes} |");
        }

        Line($"");
        Line($"**Reading (computed from the numbers above).**");
        Line($"");
        foreach (var row in rows)
        {
            Line($"- {Reading(row, serial, baseline)}");
        }

        var rateCap = rows.Average(r => r.RateCap);
        Line($"- The knee: with {rows.Average(r => r.RequestsPerTenant):0.00} API requests per tenant the rate budget allows {rateCap:0} tenants/min, {rateCap / baseline:0.0} x the serial rate of {baseline:0.0}/min: more workers than that add nothing; a run at the bound reaches {rows.Where(r => r.RequestsPerMinute >= Saturated * RequestsPerMinute).Select(r => r.TenantsPerMinute / r.RateCap).DefaultIfEmpty(0).Max():P0} of it.");
        Line($"- Catalog connections are outside the connection budget (it counts tenant connections): each tenant lock is a session advisory lock on its own unpooled catalog connection (`Neon.Tenancy lock`), beside the catalog's pools (one per host here, idle connections kept). Most lock sessions at once per run: {string.Join(", ", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.MaxLockSessions} at P {r.Used}")))}; most catalog backends in all: {rows.Max(r => r.MaxCatalogBackends)}.");
        Line($"- Physical connections: the most backends seen on the tenants' databases in any run was {rows.Max(r => r.MaxTenantBackends)}; {(rows.All(r => r.MaxTenantBackends <= r.Budget) ? "never above the run's budget" : "**above the budget** in " + string.Join(", ", rows.Where(r => r.MaxTenantBackends > r.Budget).Select(r => r.RunId)))}.");
        if (rows.Any(r => r.Parked > 0 || r.State != FleetRunState.Completed))
        {
            Line($"- Not every tenant succeeded: {string.Join("; ", rows.Where(r => r.Parked > 0 || r.State != FleetRunState.Completed).Select(r => $"{r.RunId} {r.State}, {r.Parked} parked ({string.Join(" | ", r.Errors)})"))}.");
        }

        if (warnings.Total > 0)
        {
            Line($"- Warnings logged by the SDK over the whole harness (provisioning included): {warnings.Describe()}.");
        }

        return text.ToString();
    }

    /// <summary>The bound of a run, from its numbers: the budget when it capped the parallelism, the parallelism itself when the run scaled, else the budget that is used up.</summary>
    private static string Bound(RunRow row, RunRow serial, double baseline)
    {
        var prefix = row.Used < row.Requested ? string.Create(CultureInfo.InvariantCulture, $"connection budget (P {row.Requested} -> {row.Used}); ") : "";
        var saturated = new List<string>();
        if (row.RequestsPerMinute >= Saturated * RequestsPerMinute)
        {
            saturated.Add(string.Create(CultureInfo.InvariantCulture, $"API rate budget ({row.RequestsPerMinute / RequestsPerMinute:P0} used)"));
        }

        if (row.FakeBusyShare >= Saturated)
        {
            saturated.Add(string.Create(CultureInfo.InvariantCulture, $"server: the fake ({row.FakeBusyShare:P0} busy)"));
        }

        if (row.MachineCpuBusy >= Saturated)
        {
            saturated.Add(string.Create(CultureInfo.InvariantCulture, $"machine CPU ({row.MachineCpuBusy:P0})"));
        }

        var used = string.Join(" + ", saturated);
        if (ReferenceEquals(row, serial))
        {
            return prefix + "serial: one tenant's latency" + (used.Length > 0 ? "; busy: " + used : "");
        }

        if (row.TenantsPerMinute >= Target * baseline * row.Used)
        {
            // Scaled; a budget used up as well means this parallelism sits at the bound (one more worker adds nothing).
            return prefix + "parallelism (scales)" + (used.Length > 0 ? "; at the bound: " + used : "");
        }

        return prefix + (used.Length > 0 ? used : "none saturated (latency grew: see the reading)");
    }

    private static string Reading(RunRow row, RunRow serial, double baseline)
    {
        var perWorker = row.TenantsPerMinute / row.Used;
        var head = string.Create(CultureInfo.InvariantCulture, $"`{row.RunId}`: {row.TenantsPerMinute:0.0} tenants/min with {row.Used} worker(s), {perWorker:0.0} per worker against {baseline:0.0} serially ({perWorker / baseline:P0}); median {row.MedianTenantSeconds:0.00} s per tenant against {serial.MedianTenantSeconds:0.00} s serially.");
        var caps = string.Create(CultureInfo.InvariantCulture,
            $" Caps: rate budget {row.RateCap:0}/min ({row.RequestsPerTenant:0.00} requests per tenant at {RequestsPerMinute}/min), fake {row.FakeCap:0}/min, workers {baseline * row.Used:0}/min.");
        return head + caps + " Bound: " + Bound(row, serial, baseline) + ".";
    }

    /// <summary>Where a harness writes its report: <c>benchmarks/results/{file}</c> of the repository the run started in (else the current directory).</summary>
    internal static string ResultsPath(string file = "FleetMigrationHarness.md")
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Neon.Tenancy.sln")))
            {
                return Path.Combine(directory.FullName, "benchmarks", "results", file);
            }
        }

        return Path.Combine(Environment.CurrentDirectory, file);
    }

    internal static async Task AdminExecuteAsync(string admin, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<T> AdminScalarAsync<T>(string admin, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The machine's load (1, 5, 15 minutes) where Linux tells it, for the record: the machine is shared.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The machine's CPU time counters (all cores) from <c>/proc/stat</c>; zeros where Linux does not tell.</summary>
    private static CpuCounters CpuTimes()
    {
        if (!File.Exists("/proc/stat"))
        {
            return default;
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0); // idle + iowait
        return new CpuCounters(fields.Take(8).Sum(), idle);
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var index = p * (sorted.Count - 1);
        var low = (int)Math.Floor(index);
        var high = (int)Math.Ceiling(index);
        return sorted[low] + ((sorted[high] - sorted[low]) * (index - low));
    }

    private readonly record struct CpuCounters(long Total, long Idle)
    {
        public double BusyShareSince(CpuCounters before) =>
            Total - before.Total <= 0 ? 0 : 1 - ((double)(Idle - before.Idle) / (Total - before.Total));
    }

    private sealed record RunRow
    {
        public required string RunId { get; init; }
        public int Budget { get; init; }
        public int Requested { get; init; }
        public int Used { get; init; }
        public required string UsedBound { get; init; }
        public FleetRunState State { get; init; }
        public int Succeeded { get; init; }
        public int Parked { get; init; }
        public required IReadOnlyList<string> Errors { get; init; }
        public TimeSpan Wall { get; init; }
        public double MedianTenantSeconds { get; init; }
        public int Requests { get; init; }
        public int Throttled { get; init; }
        public int OtherFailures { get; init; }
        public required IReadOnlyDictionary<string, int> Routes { get; init; }
        public double FakeBusySeconds { get; init; }
        public double SnapshotSeconds { get; init; }
        public int MaxTenantBackends { get; init; }
        public double MeanTenantBackends { get; init; }
        public int MaxCatalogBackends { get; init; }
        public int MaxServerBackends { get; init; }
        public int MaxLockSessions { get; init; }
        public int Samples { get; init; }
        public double MachineCpuBusy { get; init; }
        public double ProcessCpuSeconds { get; init; }
        public required string LoadBefore { get; init; }
        public required string LoadAfter { get; init; }
        public int Warnings { get; init; }

        public double TenantsPerMinute => Succeeded / Wall.TotalMinutes;
        public double RequestsPerTenant => Succeeded == 0 ? 0 : (double)Requests / Succeeded;
        public double RequestsPerMinute => Requests / Wall.TotalMinutes;
        public double FakeBusyShare => FakeBusySeconds / Wall.TotalSeconds;
        public double RateCap => RequestsPerTenant == 0 ? 0 : FleetMigrationHarness.RequestsPerMinute / RequestsPerTenant;
        public double FakeCap => FakeBusySeconds == 0 ? 0 : Succeeded / FakeBusySeconds * 60;
    }

    /// <summary>
    /// The API client's innermost handler: counts each attempt per route and how long at least one was in flight (the
    /// fake answers one request at a time, so that is how busy it was).
    /// </summary>
    private sealed class NeonRequestMeter : DelegatingHandler
    {
        private static readonly HashSet<string> Collections = new(StringComparer.Ordinal) { "projects", "branches", "endpoints", "operations", "snapshots", "databases", "roles" };
        private readonly Lock _lock = new();
        private readonly Dictionary<string, (int Count, long Ticks)> _routes = new(StringComparer.Ordinal);
        private int _inFlight;
        private long _busySince;
        private long _busyTicks;

        public void Reset()
        {
            lock (_lock)
            {
                _routes.Clear();
                _busyTicks = 0;
                _busySince = Stopwatch.GetTimestamp();
            }
        }

        public MeterReading Read()
        {
            lock (_lock)
            {
                var busy = _busyTicks + (_inFlight > 0 ? Stopwatch.GetTimestamp() - _busySince : 0);
                return new MeterReading((double)busy / Stopwatch.Frequency, new Dictionary<string, (int, long)>(_routes, StringComparer.Ordinal));
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var route = request.Method.Method + " " + Route(request.RequestUri);
            var started = Stopwatch.GetTimestamp();
            lock (_lock)
            {
                if (_inFlight++ == 0)
                {
                    _busySince = started;
                }
            }

            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                var ended = Stopwatch.GetTimestamp();
                lock (_lock)
                {
                    if (--_inFlight == 0)
                    {
                        _busyTicks += ended - _busySince;
                    }

                    _routes[route] = _routes.TryGetValue(route, out var stats) ? (stats.Count + 1, stats.Ticks + (ended - started)) : (1, ended - started);
                }
            }
        }

        /// <summary>The path below <c>/api/v2/</c> with every id replaced by <c>{id}</c>.</summary>
        private static string Route(Uri? uri)
        {
            var segments = (uri?.AbsolutePath ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(s => s is "api" or "v2").ToArray();
            for (var i = 1; i < segments.Length; i++)
            {
                if (Collections.Contains(segments[i - 1]))
                {
                    segments[i] = "{id}";
                }
            }

            return string.Join('/', segments);
        }
    }

    private sealed record MeterReading(double BusySeconds, IReadOnlyDictionary<string, (int Count, long Ticks)> Routes)
    {
        public double MeanSeconds(string route) =>
            Routes.TryGetValue(route, out var stats) && stats.Count > 0 ? (double)stats.Ticks / stats.Count / Stopwatch.Frequency : 0;
    }

    /// <summary>Samples <c>pg_stat_activity</c> every 50 ms on its own admin connection (to the admin database: not counted), and prints progress every 10 s.</summary>
    private sealed class BackendSampler : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly CancellationTokenSource _stop = new();
        private readonly string[] _tenantDatabases;
        private readonly string _catalogDatabase;
        private readonly Func<int> _done;
        private readonly int _total;
        private Task<BackendReading>? _loop;

        private BackendSampler(NpgsqlConnection connection, IReadOnlyList<string> tenantDatabases, string catalogDatabase, Func<int> done, int total)
        {
            _connection = connection;
            _tenantDatabases = [.. tenantDatabases];
            _catalogDatabase = catalogDatabase;
            _done = done;
            _total = total;
        }

        public static async Task<BackendSampler> StartAsync(string admin, IReadOnlyList<string> tenantDatabases, string catalogDatabase, Func<int> done, int total)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            var sampler = new BackendSampler(connection, tenantDatabases, catalogDatabase, done, total);
            sampler._loop = sampler.LoopAsync();
            return sampler;
        }

        public async Task<BackendReading> StopAsync()
        {
            await _stop.CancelAsync();
            return await _loop!;
        }

        public async ValueTask DisposeAsync()
        {
            if (_loop is not null && !_stop.IsCancellationRequested)
            {
                await StopAsync();
            }

            _stop.Dispose();
            await _connection.DisposeAsync();
        }

        private async Task<BackendReading> LoopAsync()
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE datname = ANY($1) AND backend_type = 'client backend')::int, count(*) FILTER (WHERE datname = $2 AND backend_type = 'client backend')::int, " +
                "count(*) FILTER (WHERE datname = ANY($1) AND backend_type <> 'client backend')::int, " +
                "count(*) FILTER (WHERE datname = $2 AND backend_type = 'client backend' AND application_name = 'Neon.Tenancy lock')::int FROM pg_stat_activity", _connection);
            command.Parameters.Add(new NpgsqlParameter { Value = _tenantDatabases });
            command.Parameters.Add(new NpgsqlParameter { Value = _catalogDatabase });
            await command.PrepareAsync();
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            var clock = Stopwatch.StartNew();
            var nextReport = TimeSpan.FromSeconds(10);
            int samples = 0, maxTenant = 0, maxCatalog = 0, maxOther = 0, maxLocks = 0;
            long sumTenant = 0;
            try
            {
                do
                {
                    await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
                    {
                        await reader.ReadAsync(_stop.Token);
                        var tenant = reader.GetInt32(0);
                        var catalog = reader.GetInt32(1);
                        maxOther = Math.Max(maxOther, reader.GetInt32(2));
                        maxLocks = Math.Max(maxLocks, reader.GetInt32(3));
                        samples++;
                        sumTenant += tenant;
                        maxTenant = Math.Max(maxTenant, tenant);
                        maxCatalog = Math.Max(maxCatalog, catalog);
                        if (clock.Elapsed >= nextReport)
                        {
                            nextReport += TimeSpan.FromSeconds(10);
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"  {clock.Elapsed.TotalSeconds:0} s: {_done()}/{_total} migrated; tenant backends now {tenant}, max {maxTenant}; load {LoadAverage()}"));
                        }
                    }
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Stopped.
            }

            return new BackendReading(samples, maxTenant, samples == 0 ? 0 : (double)sumTenant / samples, maxCatalog, maxOther, maxLocks);
        }
    }

    /// <summary>Client backends (connections) on the tenants' databases and the catalog's; other backends there are the server's own (autovacuum workers).</summary>
    private sealed record BackendReading(int Samples, int MaxTenant, double MeanTenant, int MaxCatalog, int MaxServerOwn, int MaxLockSessions);

    /// <summary>Counts what the SDK logs at warning and above, by category and event, keeping the first message of each.</summary>
    private sealed class WarningTally : ILoggerProvider
    {
        private readonly ConcurrentDictionary<string, (int Count, string First)> _events = new(StringComparer.Ordinal);
        private int _total;

        public int Total => Volatile.Read(ref _total);

        public string Describe() => string.Join("; ", _events.OrderByDescending(e => e.Value.Count)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key} x{e.Value.Count} (first: {e.Value.First})")));

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(WarningTally tally, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }

                Interlocked.Increment(ref tally._total);
                var message = formatter(state, exception);
                message = message.Length > 200 ? message[..200] + "..." : message;
                tally._events.AddOrUpdate(string.Create(CultureInfo.InvariantCulture, $"{logLevel} {category} {eventId.Id}"), (1, message), (_, e) => (e.Count + 1, e.First));
            }
        }
    }
}
