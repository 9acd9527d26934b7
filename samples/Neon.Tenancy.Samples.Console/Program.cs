// The Neon API client end to end: create one project per tenant, wait until it is ready, connect to each tenant's own
// database, list, delete.
//
//   dotnet run --project samples/Neon.Tenancy.Samples.Console
//
// With NEON_API_KEY set (and NEON_ORG_ID for organization accounts) it runs against Neon. Without it, it starts the
// Neon.Tenancy.Testing fake; with NEON_TENANCY_TEST_POSTGRES (an admin connection string to a local PostgreSQL) every
// fake project is a real database, so the data steps run too.
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Npgsql;

var apiKey = Environment.GetEnvironmentVariable("NEON_API_KEY");
var localPostgres = Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES");
await using var fake = string.IsNullOrEmpty(apiKey)
    ? NeonFakeServer.Start(new NeonFakeServerOptions { PostgresConnectionString = localPostgres })
    : null;

var services = new ServiceCollection();
services.AddNeonApiClient(options =>
{
    if (fake is not null)
    {
        fake.ConfigureApi(options);
    }
    else
    {
        options.ApiKey = apiKey!;
        options.OrgId = Environment.GetEnvironmentVariable("NEON_ORG_ID");
    }
});
await using var provider = services.BuildServiceProvider();
var neon = provider.GetRequiredService<NeonApiClient>();
var orgId = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<NeonApiOptions>>().Value.OrgId;
var canConnect = fake is null || !string.IsNullOrEmpty(localPostgres);

Console.WriteLine(fake is null ? "Neon API" : $"Neon API fake at {fake.ApiBaseAddress}{(canConnect ? " (real PostgreSQL behind it)" : "")}");

var tenants = new[] { "acme", "globex" };
var created = new List<CreateProjectResponse>();
foreach (var tenant in tenants)
{
    var response = await neon.Projects.CreateProjectAsync(new ProjectCreateRequest
    {
        Project = new ProjectCreateRequestProject
        {
            Name = $"sample-{tenant}",
            OrgId = orgId,
            Branch = new ProjectCreateRequestProjectBranch { DatabaseName = "app", RoleName = "app_owner" },
        },
    });
    Console.Write($"  {tenant,-8} project {response.Project.Id,-28} {response.Operations.Count} operation(s) ...");
    await neon.WaitForOperationsAsync(response.Operations);
    Console.WriteLine(" ready");
    created.Add(response);
}

if (canConnect)
{
    foreach (var (tenant, response) in tenants.Zip(created))
    {
        var parameters = response.ConnectionUris[0].ConnectionParameters;
        await using var dataSource = NpgsqlDataSource.Create(ToConnectionString(parameters));
        await using (var create = dataSource.CreateCommand("CREATE TABLE IF NOT EXISTS notes (body text)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var write = dataSource.CreateCommand("INSERT INTO notes VALUES ($1)"))
        {
            write.Parameters.AddWithValue($"hello from {tenant}");
            await write.ExecuteNonQueryAsync();
        }

        await using var read = dataSource.CreateCommand("SELECT current_database(), string_agg(body, ', ') FROM notes");
        await using var reader = await read.ExecuteReaderAsync();
        await reader.ReadAsync();
        Console.WriteLine($"  {tenant,-8} database {reader.GetString(0),-28} notes: {reader.GetString(1)}");
    }
}

Console.WriteLine("Projects named sample-*:");
await foreach (var project in neon.Projects.ListAllProjectsAsync(search: "sample-", orgId: orgId))
{
    Console.WriteLine($"  {project.Id,-28} {project.Name} ({project.RegionId})");
}

foreach (var response in created)
{
    await neon.Projects.DeleteProjectAsync(response.Project.Id);
}

Console.WriteLine($"Deleted {created.Count} project(s).");

static string ToConnectionString(ConnectionParameters parameters)
{
    var builder = new NpgsqlConnectionStringBuilder
    {
        Host = parameters.Host,
        Database = parameters.Database,
        Username = parameters.Role,
        Password = parameters.Password,
    };

    // Neon requires TLS; the fake's local server (loopback) does not offer it.
    builder.SslMode = parameters.Host.StartsWith("127.", StringComparison.Ordinal) || parameters.Host.StartsWith("localhost", StringComparison.Ordinal)
        ? SslMode.Disable
        : SslMode.Require;
    return builder.ConnectionString;
}
