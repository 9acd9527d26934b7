// Neon.Tenancy in an ASP.NET Core minimal API: one Neon project (one Postgres database) per tenant.
//
//   bash eng/run-sample.sh            (console sample)       dotnet run --project samples/Neon.Tenancy.Samples.AspNetCore
//
//   POST /tenants/{id}                      sign a tenant up (claims a warm-pool project, or creates one)
//   GET /pool                               the warm pool: ready and pending projects per pool
//   GET|POST /notes    + X-Tenant-Id: id    the tenant's notes, raw Npgsql on the request's pooled connection
//   GET|POST /todos    + X-Tenant-Id: id    the tenant's todos, EF Core on the request's pooled connection
//   GET /health                             catalog, Neon API, connection cache
//
// The tenant comes from the X-Tenant-Id header or else the first label of the host name (acme.example.com -> acme).
// Without NEON_API_KEY the sample runs against the Neon.Tenancy.Testing fake, backed by the PostgreSQL server named by
// Sample:Postgres or NEON_TENANCY_TEST_POSTGRES (an admin connection string). With NEON_API_KEY it runs against Neon
// and needs NeonTenancy:Secrets (the key ring) and, to survive restarts, NeonTenancy:Catalog:ConnectionString.
// NeonTenancy:WarmPool:Size (2 in appsettings.json) keeps that many projects ready for sign-ups; 0 turns the pool off.
// Sample:ConsoleTelemetry=true exports the "Neon.Tenancy" traces and metrics to the console with OpenTelemetry.
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Neon.Tenancy;
using Neon.Tenancy.Samples.AspNetCore;
using Neon.Tenancy.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;

var apiKey = configuration["NEON_API_KEY"];
NeonFakeServer? fake = null;
if (string.IsNullOrEmpty(apiKey))
{
    fake = NeonFakeServer.Start(new NeonFakeServerOptions
    {
        PostgresConnectionString = configuration["Sample:Postgres"] ?? configuration["NEON_TENANCY_TEST_POSTGRES"]
            ?? throw new InvalidOperationException("Without NEON_API_KEY the sample runs against the Neon fake and needs a local PostgreSQL: set Sample:Postgres or NEON_TENANCY_TEST_POSTGRES to an admin connection string."),
        OperationDuration = TimeSpan.FromMilliseconds(200),
    });
    builder.Services.AddSingleton(_ => fake); // resolved first below, so the container disposes it (and its databases) last

    // A throwaway key ring for the fake's throwaway tenants. Against Neon, configure NeonTenancy:Secrets from a secret store.
    if (string.IsNullOrEmpty(configuration["NeonTenancy:Secrets:CurrentKeyId"]))
    {
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NeonTenancy:Secrets:CurrentKeyId"] = "local",
            ["NeonTenancy:Secrets:Keys:local"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
    }
}

var tenancy = builder.Services
    .AddNeonTenancy(configuration.GetSection(NeonTenancyOptions.SectionName))
    .ConfigureApi(options =>
    {
        if (fake is not null)
        {
            fake.ConfigureApi(options);
        }
        else
        {
            options.ApiKey = apiKey!;
            options.OrgId ??= configuration["NEON_ORG_ID"];
        }
    })
    .AddTenantDbContext<TodoDb>(); // the scope's tenant (AddTenantContext) and one TodoDb per request on its connection
if (string.IsNullOrEmpty(configuration["NeonTenancy:Catalog:ConnectionString"]))
{
    tenancy.UseInMemoryCatalog();
}
else
{
    tenancy.UsePostgresCatalog();
}

// Creates the sample's tables in every new tenant database, before the tenant becomes ready (and in every warm-pool
// project, before anyone claims it).
builder.Services.AddSingleton<ITenantDatabaseInitializer, SampleSchema>();
builder.Services.AddSingleton<ProvisioningOutcomes>();

builder.Services.AddHealthChecks().AddNeonTenancy();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<TenantExceptionHandler>();

if (configuration.GetValue<bool>("Sample:ConsoleTelemetry"))
{
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddSource("Neon.Tenancy").AddConsoleExporter())
        .WithMetrics(metrics => metrics.AddMeter("Neon.Tenancy").AddConsoleExporter());
}

var app = builder.Build();
app.Services.GetService<NeonFakeServer>();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWhen(
    context => context.Request.Path.StartsWithSegments("/notes") || context.Request.Path.StartsWithSegments("/todos"),
    tenantScoped => tenantScoped.UseMiddleware<TenantMiddleware>());

app.MapPost("/tenants/{id}", async (string id, ITenantDatabaseProvider provider, ProvisioningOutcomes outcomes, IConfiguration config, CancellationToken cancellationToken) =>
{
    // ProvisionAsync claims a ready warm-pool project when one fits, and creates one otherwise; the outcome says which.
    var tenantId = TenantId.Parse(id);
    var started = Stopwatch.GetTimestamp();
    var (tenant, outcome) = await outcomes.ObserveAsync(
        () => provider.ProvisionAsync(tenantId, new TenantProvisionRequest { Plan = config["Sample:Plan"] ?? "free" }, cancellationToken));
    var elapsed = Stopwatch.GetElapsedTime(started);
    return Results.Created($"/tenants/{tenant.TenantId}", new TenantCreated(
        tenant.TenantId.Value, tenant.State.ToString(), tenant.Region, outcome ?? "existing", outcome == "claimed", Math.Round(elapsed.TotalMilliseconds, 1)));
});

app.MapGet("/pool", async (ITenantWarmPool pool, CancellationToken cancellationToken) => await pool.GetStatusAsync(cancellationToken));

app.MapGet("/notes", async (ITenantContext tenant, CancellationToken cancellationToken) =>
{
    var connection = await tenant.GetConnectionAsync(cancellationToken); // the request's connection: the scope closes it
    await using var command = new Npgsql.NpgsqlCommand("SELECT id, body FROM notes ORDER BY id", connection);
    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
    var notes = new List<Note>();
    while (await reader.ReadAsync(cancellationToken))
    {
        notes.Add(new Note(reader.GetInt64(0), reader.GetString(1)));
    }

    return notes;
});

app.MapPost("/notes", async (NewNote note, ITenantContext tenant, CancellationToken cancellationToken) =>
{
    var connection = await tenant.GetConnectionAsync(cancellationToken);
    await using var command = new Npgsql.NpgsqlCommand("INSERT INTO notes (body) VALUES ($1) RETURNING id", connection);
    command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = note.Body });
    var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    return Results.Created($"/notes/{id}", new Note(id, note.Body));
});

app.MapGet("/todos", async (TodoDb db, CancellationToken cancellationToken) =>
    await db.Todos.OrderBy(t => t.Id).ToListAsync(cancellationToken));

app.MapPost("/todos", async (NewTodo todo, TodoDb db, CancellationToken cancellationToken) =>
{
    var entity = new Todo { Title = todo.Title };
    db.Todos.Add(entity);
    await db.SaveChangesAsync(cancellationToken);
    return Results.Created($"/todos/{entity.Id}", entity);
});

app.MapHealthChecks("/health");

app.Run();

/// <summary>The sample's entry point (public for WebApplicationFactory in its tests).</summary>
public partial class Program;
