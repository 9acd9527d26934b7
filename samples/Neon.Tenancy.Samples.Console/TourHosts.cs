using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Neon.Tenancy.Testing;
using Npgsql;

namespace Neon.Tenancy.Samples.Console;

/// <summary>
/// Builds the tour's hosts, each as an application would: <c>AddNeonTenancy(configuration)</c> over appsettings.json,
/// the environment and the command line, the fake's or Neon's API, and a catalog (PostgreSQL in a schema of its own, or
/// in memory). The tour's main host is one; the warm-pool step starts two more, with the pool on and then off, so that
/// the pool changes nothing in the other steps.
/// </summary>
internal sealed class TourHosts
{
    private readonly string[] _args;
    private readonly string? _apiKey;
    private readonly string? _orgId;
    private readonly Dictionary<string, string?>? _keyRing;

    public TourHosts(string[] args, NeonFakeServer? fake, string? apiKey, string? orgId, string? postgres)
    {
        _args = args;
        Fake = fake;
        _apiKey = apiKey;
        _orgId = orgId;
        Postgres = string.IsNullOrEmpty(postgres) ? null : postgres;

        // Connection secrets are encrypted with AES-256-GCM. A real application keeps its key in a secret store; the
        // tour makes one for this run (shared by its hosts) unless NeonTenancy:Secrets is configured.
        if (NewBuilder().Configuration["NeonTenancy:Secrets:CurrentKeyId"] is null)
        {
            _keyRing = new Dictionary<string, string?>
            {
                ["NeonTenancy:Secrets:CurrentKeyId"] = "tour",
                ["NeonTenancy:Secrets:Keys:tour"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            };
        }
    }

    /// <summary>The in-process fake of Neon, or null against Neon itself.</summary>
    public NeonFakeServer? Fake { get; }

    /// <summary>The admin connection string of the local PostgreSQL (catalogs, and the fake's databases), if any.</summary>
    public string? Postgres { get; }

    /// <summary>Whether the key ring was made for this run (no NeonTenancy:Secrets configured).</summary>
    public bool GeneratedKey => _keyRing is not null;

    /// <summary>
    /// Builds and starts a host whose catalog is <paramref name="catalogSchema"/> on the local PostgreSQL (dropped first
    /// when <paramref name="fresh"/>: a previous run's catalog was encrypted with another key), or in memory without one.
    /// </summary>
    public async Task<IHost> StartAsync(string catalogSchema, bool fresh, Action<IServiceCollection, INeonTenancyBuilder>? configure, CancellationToken cancellationToken)
    {
        var builder = NewBuilder();
        if (_keyRing is not null)
        {
            builder.Configuration.AddInMemoryCollection(_keyRing);
        }

        var tenancy = builder.Services
            .AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName))
            .ConfigureApi(o =>
            {
                if (Fake is not null)
                {
                    Fake.ConfigureApi(o);
                    o.OperationPollInterval = TimeSpan.FromMilliseconds(100);
                }
                else
                {
                    o.ApiKey = _apiKey!;
                    o.OrgId = string.IsNullOrEmpty(_orgId) ? o.OrgId : _orgId;
                }
            });
        if (Postgres is not null)
        {
            if (fresh)
            {
                await DropCatalogSchemaAsync(catalogSchema, cancellationToken);
            }

            tenancy.UsePostgresCatalog(o =>
            {
                o.ConnectionString = Postgres;
                o.Schema = catalogSchema;
            });
        }
        else
        {
            tenancy.UseInMemoryCatalog();
        }

        configure?.Invoke(builder.Services, tenancy);
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken); // validates every option and plan; creates the catalog schema; starts the change feed
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Drops a catalog schema of the tour's (nothing without a local PostgreSQL).</summary>
    public async Task DropCatalogSchemaAsync(string schema, CancellationToken cancellationToken)
    {
        if (Postgres is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private HostApplicationBuilder NewBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = _args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (_args.Contains("--verbose"))
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }

        return builder;
    }
}
