using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// The warm pool (ConfigureWarmPool, ITenantWarmPool): projects created before anyone signs up, claimed by
/// ITenantDatabaseProvider.ProvisionAsync instead of created. It runs in a host of its own (the pool on, a catalog schema
/// of its own), so the other steps' sign-ups stay cold; at the end a third host with the pool off recycles its projects.
/// Every claim is shown by what Neon and the pool report: the tenant's project was one the pool had made, no project was
/// created for it, and the pool holds one ready project fewer.
/// </summary>
internal sealed class WarmPoolStep : ITourStep
{
    private const string Schema = "neon_tenancy_sample_pool";
    private const string Plan = "free";
    private const int Size = 2;
    private static readonly string[] Names = ["hooli", "initrode", "umbrella"];

    public string Title => "Warm pool: a sign-up claims a ready project instead of creating one";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        if (tour.Fake is null && tour.Hosts.Postgres is null)
        {
            tour.Out.Warn("against Neon this step needs NEON_TENANCY_TEST_POSTGRES: its pool must be turned off by a second host over the same");
            tour.Out.Warn("catalog at the end, which recycles the pool's projects. Skipped, so that none is left in your account.");
            return;
        }

        tour.Out.Note($"A second instance of the app with ConfigureWarmPool(o => {{ o.Size = {Size}; o.Plans = [\"{Plan}\"]; }}) and a catalog of its own,");
        tour.Out.Note("so the other steps' sign-ups stay cold. The replenisher creates projects before anyone signs up (initialized, suspended);");
        tour.Out.Note("ProvisionAsync claims one in one catalog transaction, gives it new passwords, the plan and the tenant's name, and");
        tour.Out.Note("creates a project only when no ready one fits. ReplenishInterval is an hour here: the step runs its passes itself.");
        tour.Out.Line();

        // Against Neon, a run suffix keeps the step's projects apart from anything else in the account.
        var suffix = tour.Fake is null ? "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)) : "";
        var tenants = Names.Take(Size + 1).Select(n => TenantId.Parse(n + suffix)).ToArray(); // the pool's size claims, then one finds it empty
        var before = await ProjectsAsync(tour, cancellationToken);
        var signedUp = new List<TenantId>();
        try
        {
            using var host = await tour.Hosts.StartAsync(Schema, fresh: true, (_, tenancy) => tenancy.ConfigureWarmPool(o =>
            {
                o.Size = Size;
                o.Plans = [Plan];
                o.ReplenishInterval = TimeSpan.FromHours(1);
            }), cancellationToken);
            try
            {
                await ShowAsync(tour, host.Services, before, tenants, signedUp, cancellationToken);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            await TurnOffAsync(tour, signedUp, CancellationToken.None);
        }
    }

    private static async Task ShowAsync(Tour tour, IServiceProvider services, Dictionary<string, string> before, TenantId[] tenants, List<TenantId> signedUp,
        CancellationToken cancellationToken)
    {
        var pool = services.GetRequiredService<ITenantWarmPool>();
        var provider = services.GetRequiredService<ITenantDatabaseProvider>();

        var status = await pool.GetStatusAsync(cancellationToken);
        tour.Out.Line($"GetStatusAsync() after start: {Describe(status)}.");
        await FillAsync(tour, pool, "ReplenishAsync()", cancellationToken);

        var poolProjects = (await ProjectsAsync(tour, cancellationToken)).Where(p => !before.ContainsKey(p.Key)).ToDictionary();
        tour.Out.Line($"Neon projects the pass created: {string.Join(", ", poolProjects.Select(p => $"{p.Value} ({p.Key})"))}");
        tour.Out.Line();

        var rows = new List<IReadOnlyList<string>>();
        var claimedTook = new List<TimeSpan>();
        var coldTook = new List<TimeSpan>();
        TenantId? firstClaimed = null;
        foreach (var tenant in tenants)
        {
            var readyBefore = Ready(await pool.GetStatusAsync(cancellationToken));
            var projectsBefore = await ProjectsAsync(tour, cancellationToken);

            var started = Stopwatch.GetTimestamp();
            var record = await provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = Plan }, cancellationToken);
            var took = Stopwatch.GetElapsedTime(started);
            signedUp.Add(tenant);

            var readyAfter = Ready(await pool.GetStatusAsync(cancellationToken));
            var projectsAfter = await ProjectsAsync(tour, cancellationToken);
            var created = projectsAfter.Keys.Where(id => !projectsBefore.ContainsKey(id)).ToList();
            var claimed = poolProjects.TryGetValue(record.ProjectId!, out var poolName);
            Check(record.State == TenantState.Ready, $"{tenant} is {record.State} after ProvisionAsync.");
            if (claimed)
            {
                Check(created.Count == 0, $"{tenant} claimed a pool project, yet {created.Count} project(s) were created.");
                Check(readyAfter == readyBefore - 1, $"{tenant} claimed a pool project, yet the pool went from {readyBefore} to {readyAfter} ready.");
                Check(projectsAfter[record.ProjectId!] == record.ProjectName, $"{tenant}'s claimed project is still named {projectsAfter[record.ProjectId!]}.");
                claimedTook.Add(took);
                firstClaimed ??= tenant;
                tour.Out.Ok($"{tenant}: ready in {TourOutput.Ms(took)}, claimed: its project {record.ProjectId} is the pool's {poolName}, now named {record.ProjectName}; no project created; pool {readyBefore} -> {readyAfter} ready.");
            }
            else
            {
                Check(readyBefore == 0, $"The pool had {readyBefore} ready project(s), yet {tenant}'s sign-up did not claim one.");
                Check(created.SequenceEqual([record.ProjectId!]), $"{tenant} did not claim, yet its project {record.ProjectId} is not a new one.");
                coldTook.Add(took);
                tour.Out.Ok($"{tenant}: ready in {TourOutput.Ms(took)}, created: the pool was empty, so project {record.ProjectId} ({record.ProjectName}) was created for it; pool {readyBefore} -> {readyAfter} ready.");
            }

            rows.Add([tenant.Value, record.Plan, record.State.ToString(), $"{record.ProjectName} ({record.ProjectId})",
                claimed ? $"claimed ({poolName})" : "created", $"{readyBefore} -> {readyAfter}", created.Count.ToString(CultureInfo.InvariantCulture), TourOutput.Ms(took)]);
        }

        tour.Out.Table(["tenant", "plan", "state", "neon project", "how", ">pool ready", ">projects created", ">took"], rows);
        Check(claimedTook.Count > 0 && coldTook.Count > 0, "The step expected claims while the pool had ready projects and a cold sign-up once it was empty.");
        var claimedAverage = TimeSpan.FromTicks((long)claimedTook.Average(t => t.Ticks));
        var coldAverage = TimeSpan.FromTicks((long)coldTook.Average(t => t.Ticks));
        tour.Out.Ok(string.Create(CultureInfo.InvariantCulture,
            $"A claim took {TourOutput.Ms(claimedAverage)} on average, the sign-up that created its project {TourOutput.Ms(coldAverage)} ({coldAverage / claimedAverage:0.#}x)."));
        tour.Out.Note("A claim waits for one password reset; a cold sign-up for the project's creation and its operations, and on Neon also");
        tour.Out.Note("for its new compute's first start before the initializer and migrations run, which the pool did ahead of time.");

        if (tour.CanConnect && firstClaimed is { } tenantId)
        {
            // The claimed tenant's own database, through the same connection factory as any tenant's.
            var connections = services.GetRequiredService<ITenantConnectionFactory>();
            await using var connection = await connections.OpenConnectionAsync(tenantId, TenantConnectionKind.Pooled, cancellationToken);
            await using var command = new NpgsqlCommand(
                "CREATE TABLE notes (body text NOT NULL); INSERT INTO notes VALUES ('first note'); SELECT current_database(), current_user, count(*) FROM notes", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            tour.Out.Ok($"{tenantId} is usable at once: its database {reader.GetString(0)} (as {reader.GetString(1)}) took a table and a row ({reader.GetInt64(2)} row).");
        }

        tour.Out.Line();
        await FillAsync(tour, pool, "ReplenishAsync() refills", cancellationToken);
    }

    /// <summary>Runs a pass and prints what it did; waits for the hosted replenisher's pass instead when that one holds the lease.</summary>
    private static async Task FillAsync(Tour tour, ITenantWarmPool pool, string what, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var pass = await pool.ReplenishAsync(cancellationToken);
        var pools = pass.Pools;
        if (pass.Ran)
        {
            tour.Out.Ok($"{what} in {TourOutput.Ms(Stopwatch.GetElapsedTime(started))}: created {pass.Created}, migrated {pass.Migrated}, recycled {pass.Recycled}, failed {pass.Failed}.");
        }
        else
        {
            // The hosted replenisher's first pass (a second after start) got the lease first: its result is the same.
            while (Ready(pools) < pools.Sum(p => p.TargetSize) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                pools = await pool.GetStatusAsync(cancellationToken);
            }

            tour.Out.Ok($"The hosted replenisher was running a pass (it holds the lease neon-tenancy:warm-pool); it filled the pool in {TourOutput.Ms(Stopwatch.GetElapsedTime(started))}.");
        }

        Check(pass.Failed == 0, $"{pass.Failed} pool project(s) failed to be made ready.");
        Check(Ready(pools) == pools.Sum(p => p.TargetSize), $"The pool is not full after the pass: {Describe(pools)}.");
        tour.Out.Table(["region", "plan class", ">target", ">ready", ">pending"],
            pools.Select(p => (IReadOnlyList<string>)[p.Region ?? "(default)", p.PlanClass, Number(p.TargetSize), Number(p.Ready), Number(p.Pending)]));
    }

    /// <summary>
    /// A host with the pool off, over the same catalog: one pass recycles (deletes) the pool's projects. Against Neon it
    /// also deletes the step's tenants; the fake drops everything on exit.
    /// </summary>
    private static async Task TurnOffAsync(Tour tour, List<TenantId> signedUp, CancellationToken cancellationToken)
    {
        if (tour.Hosts.Postgres is null)
        {
            tour.Out.Note("(No PostgreSQL catalog: the pool's projects stay in the fake, which drops them on exit.)");
            return;
        }

        using (var host = await tour.Hosts.StartAsync(Schema, fresh: false, (_, tenancy) => tenancy.ConfigureWarmPool(o => o.Size = 0), cancellationToken))
        {
            try
            {
                var pass = await host.Services.GetRequiredService<ITenantWarmPool>().ReplenishAsync(cancellationToken);
                var left = await host.Services.GetRequiredService<ITenantWarmPool>().GetStatusAsync(cancellationToken);
                tour.Out.Ok($"Pool off (Size = 0) and one ReplenishAsync(): recycled {pass.Recycled} pool project(s); GetStatusAsync(): {Describe(left)}.");
                if (tour.Fake is null)
                {
                    var provider = host.Services.GetRequiredService<ITenantDatabaseProvider>();
                    foreach (var tenant in signedUp)
                    {
                        await provider.DeleteAsync(tenant, cancellationToken);
                    }

                    tour.Out.Ok($"Deleted the step's tenants: {string.Join(", ", signedUp)}.");
                }
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }

        await tour.Hosts.DropCatalogSchemaAsync(Schema, cancellationToken);
    }

    /// <summary>The tour's projects on Neon (named with the configured prefix): id and name.</summary>
    private static async Task<Dictionary<string, string>> ProjectsAsync(Tour tour, CancellationToken cancellationToken)
    {
        var prefix = tour.Services.GetRequiredService<IOptions<NeonTenancyOptions>>().Value.ProjectNamePrefix;
        var projects = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var project in tour.Api.Projects.ListAllProjectsAsync(search: prefix, cancellationToken: cancellationToken))
        {
            if (project.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                projects[project.Id] = project.Name;
            }
        }

        return projects;
    }

    private static int Ready(IReadOnlyList<WarmPoolStatus> pools) => pools.Sum(p => p.Ready);

    private static string Describe(IReadOnlyList<WarmPoolStatus> pools) => pools.Count == 0
        ? "no pools"
        : string.Join("; ", pools.Select(p => $"pool {p.Region ?? "(default region)"}/{p.PlanClass}: {p.Ready} ready, {p.Pending} pending of {p.TargetSize}"));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
