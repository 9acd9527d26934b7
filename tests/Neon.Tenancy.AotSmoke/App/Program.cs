// Neon.Tenancy as a native AOT application uses it: AddNeonTenancy from configuration, the PostgreSQL catalog,
// provision a tenant, open its connection and run `select 1`, read its usage. eng/aot-smoke.sh publishes this with
// PublishAot (failing on any trim or AOT warning) and runs the native binary against the fake Neon API, served by
// ../FakeHost in another process.
//
//   NEON_FAKE_API=<fake base address> NEON_FAKE_API_KEY=<its key> NEON_TENANCY_TEST_POSTGRES=<admin connection string> ./Neon.Tenancy.AotSmoke
//
// Prints one line per step and `aot smoke app: ok`; exit code 0 when every step passed, 1 otherwise.
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Neon.Tenancy;

try
{
    var api = Required("NEON_FAKE_API");
    var apiKey = Required("NEON_FAKE_API_KEY");
    var postgres = Required("NEON_TENANCY_TEST_POSTGRES");
    var schema = "neon_tenancy_aot_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
    var cancellationToken = timeout.Token;

    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Logging.ClearProviders();
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["NeonTenancy:ProjectNamePrefix"] = "aot-",
        ["NeonTenancy:Secrets:CurrentKeyId"] = "aot",
        ["NeonTenancy:Secrets:Keys:aot"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["NeonTenancy:Plans:DefaultPlan"] = "free",
        ["NeonTenancy:Plans:Plans:free:MinComputeUnits"] = "0.25",
        ["NeonTenancy:Plans:Plans:free:MaxComputeUnits"] = "0.25",
        ["NeonTenancy:Plans:Plans:free:ActiveHours"] = "50",
        ["NeonTenancy:Plans:Plans:free:StorageGB"] = "0.5",
        ["NeonTenancy:Plans:Plans:free:HistoryRetention"] = "06:00:00",
        ["NeonTenancy:Plans:Plans:free:MaxPoolSize"] = "5",
    });

    builder.Services
        .AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName))
        .ConfigureApi(o =>
        {
            o.BaseAddress = new Uri(api);
            o.ApiKey = apiKey;
            o.OperationPollInterval = TimeSpan.FromMilliseconds(100);
        })
        .UsePostgresCatalog(o =>
        {
            o.ConnectionString = postgres;
            o.Schema = schema;
        });

    using var host = builder.Build();
    await host.StartAsync(cancellationToken); // validates options and plans, creates the catalog schema
    Console.WriteLine($"host started: PostgreSQL catalog in schema {schema}");

    var tenant = TenantId.Parse("aot-smoke");
    var provider = host.Services.GetRequiredService<ITenantDatabaseProvider>();
    var database = await provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" }, cancellationToken);
    Check(database.State == TenantState.Ready, $"provisioned {tenant}: state {database.State}, project {database.ProjectId}");

    var connections = host.Services.GetRequiredService<ITenantConnectionFactory>();
    await using (var connection = await connections.OpenConnectionAsync(tenant, cancellationToken: cancellationToken))
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "select 1";
        var one = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        Check(one == 1, $"select 1 on {tenant}'s database answered {one}");
    }

    var usage = await host.Services.GetRequiredService<IUsageClient>().GetCurrentUsageAsync(tenant, cancellationToken);
    Check(usage.TenantId == tenant && usage.ProjectId == database.ProjectId,
        $"usage of {usage.TenantId} (project {usage.ProjectId}): active {usage.ActiveTime}, written {usage.WrittenBytes} bytes");

    var deleted = await provider.DeleteAsync(tenant, cancellationToken);
    Check(deleted.Tenant.State == TenantState.Deleted, $"deleted {tenant}: state {deleted.Tenant.State}");

    await host.StopAsync(CancellationToken.None);
    Console.WriteLine("aot smoke app: ok");
    return 0;
}
catch (Exception ex)
{
    // Neon.Tenancy's messages never carry a key, password or connection string.
    Console.Error.WriteLine($"aot smoke app: FAILED: {ex.GetType().FullName}: {ex.Message}");
    return 1;
}

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"Environment variable {name} is not set.");

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("check failed: " + what);
    }

    Console.WriteLine("ok: " + what);
}
