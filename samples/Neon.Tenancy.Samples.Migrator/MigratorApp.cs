using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Testing;
using Npgsql;
using Spectre.Console;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>The migrator: arguments, where to run, the demo fleet (offline), then the dry run or the run, and the exit code.</summary>
internal static class MigratorApp
{
    /// <summary>How many demo tenants an offline run provisions unless <c>--seed</c> says otherwise.</summary>
    public const int DefaultSeed = 40;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, IAnsiConsole console, MigratorEnvironment environment, CancellationToken cancellationToken)
    {
        MigratorArguments arguments;
        try
        {
            arguments = MigratorArguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            console.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            console.WriteLine(MigratorArguments.Usage);
            return ExitCodes.Failed;
        }

        if (arguments.Help)
        {
            console.WriteLine(MigratorArguments.Usage);
            return ExitCodes.Ok;
        }

        if (Refusal(arguments, environment) is { } refusal)
        {
            console.MarkupLineInterpolated($"[red]{refusal}[/]");
            return ExitCodes.Failed;
        }

        try
        {
            // Offline, everything lives for this process: the fake, its projects (real databases and roles, dropped
            // when it is disposed) and a catalog schema of its own (dropped below).
            await using var fake = environment.Live
                ? null
                : NeonFakeServer.Start(new NeonFakeServerOptions { PostgresConnectionString = environment.Postgres, OperationDuration = TimeSpan.FromMilliseconds(100) });
            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? schema = null;
            if (fake is not null)
            {
                schema = "migrator_sample_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
                overrides["NeonTenancy:Catalog:ConnectionString"] = environment.Postgres;
                overrides["NeonTenancy:Catalog:Schema"] = schema;
                overrides["NeonTenancy:Secrets:CurrentKeyId"] = "demo";
                overrides["NeonTenancy:Secrets:Keys:demo"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            }

            try
            {
                return await MigrateAsync(new MigratorSetup(environment, fake, overrides, arguments.Verbose), arguments, console, cancellationToken);
            }
            finally
            {
                if (schema is not null)
                {
                    await DropSchemaAsync(environment.Postgres!, schema);
                }

                if (fake is not null && environment.BeforeFakeDisposed is { } inspect)
                {
                    await inspect(fake);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            // Neon.Tenancy's messages never carry a key, password or connection string.
            console.MarkupLineInterpolated($"[red]{ex.GetType().Name}: {ex.Message}[/]");
            return ExitCodes.Failed;
        }
    }

    private static string? Refusal(MigratorArguments arguments, MigratorEnvironment environment)
    {
        if (environment.Live && (arguments.Seed is not null || arguments.Poison > 0))
        {
            return "--seed and --poison make demo tenants on the offline fake; against Neon (NEON_API_KEY is set) the migrator migrates the tenants of your catalog.";
        }

        if (!environment.Live && string.IsNullOrEmpty(environment.Postgres))
        {
            return $"Offline (no NEON_API_KEY), the migrator needs a PostgreSQL server behind the Neon fake: set {MigratorEnvironment.PostgresVariable} "
                + "to an admin connection string, or run `bash eng/run-sample.sh --migrator ...`, which starts one.";
        }

        var seed = arguments.Seed ?? DefaultSeed;
        return arguments.Poison > seed ? $"--poison {arguments.Poison} is more than the {seed} tenant(s) --seed provisions." : null;
    }

    private static async Task<int> MigrateAsync(MigratorSetup setup, MigratorArguments arguments, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var display = new FleetDisplay(console);
        console.Write(new Rule("[bold]Neon.Tenancy migrator[/]").LeftJustified());
        console.WriteLine();

        var seed = setup.Fake is null ? 0 : arguments.Seed ?? DefaultSeed;
        var poisoned = DemoFleet.Poisoned(seed, arguments.Poison);
        if (seed > 0)
        {
            // The release before this one: its host has the first script only, so it provisions tenants at v1.
            using var previous = MigratorHost.Build(setup, DemoFleet.PreviousReleaseScripts);
            await previous.StartAsync(cancellationToken);
            try
            {
                await DemoFleet.SeedAsync(previous.Services, seed, poisoned, display, cancellationToken);
            }
            finally
            {
                await previous.StopAsync(CancellationToken.None);
            }

            if (poisoned.Count > 0)
            {
                console.MarkupLineInterpolated($"  [yellow]Poisoned:[/] {string.Join(", ", poisoned)}. Each has a note with a blank title, which script 0004 refuses.");
            }

            console.WriteLine();
        }

        using var host = MigratorHost.Build(setup, MigratorHost.ScriptPrefix);
        await host.StartAsync(cancellationToken); // validates the settings (the message names a bad one), creates the catalog schema
        try
        {
            return await RunAsync(host.Services, setup, arguments, console, display, cancellationToken);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<int> RunAsync(IServiceProvider services, MigratorSetup setup, MigratorArguments arguments, IAnsiConsole console, FleetDisplay display,
        CancellationToken cancellationToken)
    {
        var migrations = services.GetRequiredService<ITenantMigrations>();
        var tenants = services.GetRequiredService<ITenantDatabaseProvider>();
        var options = new FleetRunOptions
        {
            RunId = arguments.RunId ?? "schema-v" + migrations.TargetVersion.ToString(CultureInfo.InvariantCulture),
            MaxParallelism = arguments.Parallelism ?? 4,
            CanaryCount = arguments.Canary ?? 0,
            WaveSize = arguments.WaveSize ?? 0,
            MaxParked = arguments.MaxParked,
            RetryParked = arguments.RetryParked,
        };

        var before = await tenants.ListAllAsync(cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        var catalogOptions = services.GetRequiredService<IOptions<PostgresTenantCatalogOptions>>().Value;
        var catalogWhere = new NpgsqlConnectionStringBuilder(catalogOptions.ConnectionString);
        Report.Facts(console,
        [
            ("Neon API", setup.Fake is { } fake ? $"in-process fake at {fake.ApiBaseAddress}, every project a real database" : "Neon (NEON_API_KEY is set)"),
            ("Catalog", $"PostgreSQL {catalogWhere.Host}:{catalogWhere.Port}, schema {catalogOptions.Schema}"),
            ("Scripts", string.Join(", ", MigratorHost.ScriptNames.Select(n => n[MigratorHost.ScriptPrefix.Length..]))),
            ("Target", $"schema v{migrations.TargetVersion}"),
            ("Tenants", Report.Census(before)),
            ("Run", string.Create(CultureInfo.InvariantCulture,
                $"{options.RunId}: parallelism {options.MaxParallelism}, canary {options.CanaryCount}, wave size {(options.WaveSize == 0 ? "all" : options.WaveSize.ToString(CultureInfo.InvariantCulture))}, max parked {(options.MaxParked?.ToString(CultureInfo.InvariantCulture) ?? "none")}{(options.RetryParked ? ", retry parked" : "")}")),
        ]);

        if (arguments.DryRun)
        {
            var plan = await migrations.PlanAsync(options, cancellationToken);
            Report.Plan(console, plan, options);
            return ExitCodes.Ok;
        }

        var (result, tenantsPerMinute) = await display.RunAsync(options.RunId, before.Count, progress => migrations.MigrateAsync(options, progress, cancellationToken));
        console.WriteLine();
        Report.Summary(console, result, tenantsPerMinute);

        var parked = new List<(FleetTenantEntry, int?, string)>();
        foreach (var entry in result.Tenants.Where(t => t.State == FleetTenantState.Parked))
        {
            var record = await tenants.GetAsync(entry.TenantId, CancellationToken.None);
            parked.Add((entry, record?.SchemaVersion, await JournalAsync(services, entry.TenantId)));
        }

        Report.Parked(console, parked);
        console.MarkupLineInterpolated($"  Tenants now: {Report.Census(await tenants.ListAllAsync().ToListAsync())}");

        var code = result switch
        {
            { State: FleetRunState.Halted } => ExitCodes.Halted,
            { State: FleetRunState.Completed, Progress.Parked: > 0 } => ExitCodes.Parked,
            { State: FleetRunState.Completed or FleetRunState.NothingToDo } => ExitCodes.Ok,
            _ => ExitCodes.Failed,
        };
        console.MarkupLine(code switch
        {
            ExitCodes.Ok => "  [green]Every tenant is at the target version.[/] Exit code 0.",
            ExitCodes.Parked => "  [yellow]Parked tenants keep serving at their old version.[/] Fix their data, then rerun with the same --run-id and --retry-parked. Exit code 2.",
            ExitCodes.Halted => "  [red]The run halted[/] (--max-parked): the tenants not started are still at their old version. Rerun with the same --run-id to continue. Exit code 3.",
            _ => "  [yellow]The run did not finish[/]; rerun with the same --run-id to continue it. Exit code 1.",
        });
        return code;
    }

    /// <summary>What the tenant's DbUp journal lists: after a restore, the scripts of the version before the migration.</summary>
    private static async Task<string> JournalAsync(IServiceProvider services, TenantId tenant)
    {
        try
        {
            // A parked tenant serves at its version: opening it does not try the migration again.
            await using var connection = await services.GetRequiredService<ITenantConnectionFactory>().OpenConnectionAsync(tenant);
            await using var command = new NpgsqlCommand("SELECT count(*) FROM public.schemaversions", connection);
            var scripts = Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture, $"v{scripts}");
        }
        catch (Exception ex) when (ex is NpgsqlException or NeonTenancyException)
        {
            return "unreadable: " + ex.GetType().Name;
        }
    }

    private static async Task DropSchemaAsync(string adminConnectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
