// A tour of Neon.Tenancy: three tenants on three plans, each with its own Neon project, provisioned, used, rotated,
// restored, deleted and recovered through the SDK's public surface (AddNeonTenancy, ITenantDatabaseProvider,
// ITenantConnectionFactory, IPlanLimits, IUsageClient, NeonCostCalculator, ITenantCatalog, NeonApiClient), and sign-ups
// that claim from a warm pool (ConfigureWarmPool, ITenantWarmPool) in a host of the step's own.
//
//   bash eng/run-sample.sh                  # from the repository root: starts a throwaway PostgreSQL, runs the tour
//
// Without NEON_API_KEY it starts Neon.Tenancy.Testing's fake of the Neon API in-process; with NEON_TENANCY_TEST_POSTGRES
// (an admin connection string, which eng/run-sample.sh provides) every fake project is a real database and the catalog
// is real PostgreSQL too. With NEON_API_KEY (and NEON_ORG_ID for organization accounts) the same tour runs against
// Neon and deletes what it created at the end. Exit code 0 when every step passed, 1 otherwise.
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neon.Tenancy;
using Neon.Tenancy.Samples.Console;
using Neon.Tenancy.Samples.Console.Steps;
using Neon.Tenancy.Testing;
using Npgsql;

const string CatalogSchema = "neon_tenancy_sample";

var output = TourOutput.ForConsole();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var apiKey = Environment.GetEnvironmentVariable("NEON_API_KEY");
var orgId = Environment.GetEnvironmentVariable("NEON_ORG_ID");
var localPostgres = Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES");
var live = !string.IsNullOrEmpty(apiKey);
var hasPostgres = !string.IsNullOrEmpty(localPostgres);

try
{
    // Neon-like latencies: an operation takes 400 ms, creating a project answers after a second (what the warm pool saves).
    await using var fake = live
        ? null
        : NeonFakeServer.Start(new NeonFakeServerOptions
        {
            PostgresConnectionString = localPostgres,
            OperationDuration = TimeSpan.FromMilliseconds(400),
            ProjectCreationLatency = TimeSpan.FromSeconds(1),
        });

    // Every host of the tour is built the same way (TourHosts): appsettings.json, the fake or Neon, a catalog.
    var hosts = new TourHosts(args, fake, apiKey, orgId, localPostgres);

    // Billing or e-mail would hook in here: the tour prints each plan limit a tenant approaches or reaches.
    var thresholds = new ThresholdPrinter(output);
    using var host = await hosts.StartAsync(CatalogSchema, fresh: true, (services, _) => services.AddSingleton<IUsageThresholdObserver>(thresholds), cancel.Token);
    var plans = host.Services.GetRequiredService<IPlanLimits>();

    // Against Neon, a run suffix keeps the tour's projects apart from anything else in the account.
    var suffix = live ? "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)) : "";
    var tenants = new SampleTenant[]
    {
        new(TenantId.Parse("acme" + suffix), "free"),
        new(TenantId.Parse("globex" + suffix), "pro"),
        new(TenantId.Parse("initech" + suffix), "enterprise"),
    };
    foreach (var tenant in tenants)
    {
        _ = plans.GetSettings(tenant.Plan); // UnknownPlanException names a plan missing from appsettings.json
    }

    output.Title("Neon.Tenancy tour: three tenants, three plans, one Neon project each");
    var where = hasPostgres ? new NpgsqlConnectionStringBuilder(localPostgres) : null;
    var planNames = tenants.Select(t => t.Plan).Concat(plans.PlanNames).Distinct(StringComparer.OrdinalIgnoreCase);
    output.Facts(
    [
        ("Neon API", fake is null
            ? "Neon itself (NEON_API_KEY is set)"
            : $"in-process fake at {fake.ApiBaseAddress}" + (hasPostgres ? $", every project a real database on {where!.Host}:{where.Port}" : " (no PostgreSQL: data steps are skipped)")),
        ("Catalog", hasPostgres ? $"PostgreSQL {where!.Host}:{where.Port}, schema {CatalogSchema}" : "in memory"),
        ("Plans", $"{string.Join(", ", planNames)} (NeonTenancy:Plans in appsettings.json)"),
        ("Secrets", hosts.GeneratedKey ? "AES-256-GCM with a key made for this run (yours belongs in a secret store)" : "AES-256-GCM, key from NeonTenancy:Secrets"),
        ("Tenants", string.Join(", ", tenants.Select(t => $"{t.Id} ({t.Plan})"))),
    ]);

    var tour = new Tour(host.Services, hosts, output, fake, canConnect: live || hasPostgres, thresholds, tenants);
    ITourStep[] steps =
    [
        new ProvisionStep(),
        new WarmPoolStep(),
        new IsolationStep(),
        new RotateStep(),
        new RestoreStep(),
        new CheckpointStep(),
        new DeleteRecoverStep(),
        new LimitStep(),
        new UsageStep(),
        new PlanChangeStep(),
        new CostStep(),
    ];

    var ok = false;
    try
    {
        ok = await TourRunner.RunAsync(tour, steps, cancel.Token);
    }
    finally
    {
        await CleanUpAsync(tour);
        await host.StopAsync(CancellationToken.None);
    }

    await hosts.DropCatalogSchemaAsync(CatalogSchema, CancellationToken.None);

    output.Line();
    if (ok)
    {
        output.Ok("Tour complete.");
        return 0;
    }

    output.Fail("Tour failed (see above).");
    return 1;
}
catch (Exception ex)
{
    // Neon.Tenancy's messages never carry a key, password or connection string.
    output.Fail($"{ex.GetType().Name}: {ex.Message}");
    return 1;
}

// Against Neon: delete the tour's projects (recoverable for Neon's recovery window). The fake throws everything away.
static async Task CleanUpAsync(Tour tour)
{
    if (tour.Fake is not null)
    {
        tour.Out.Note("The fake, its projects and their databases are dropped on exit.");
        return;
    }

    tour.Out.Heading("Cleanup: deleting the tour's projects from your Neon account");
    foreach (var tenant in tour.Tenants.Select(t => t.Id))
    {
        try
        {
            if (await tour.Provider.GetAsync(tenant) is not { State: not TenantState.Deleted })
            {
                continue;
            }

            var deletion = await tour.Provider.DeleteAsync(tenant);
            tour.Out.Ok($"{tenant}: {deletion.Tenant.ProjectName} deleted (recoverable until {deletion.RecoverableUntil?.UtcDateTime:yyyy-MM-dd HH:mm} UTC)");
        }
        catch (Exception ex)
        {
            tour.Out.Fail($"{tenant}: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
