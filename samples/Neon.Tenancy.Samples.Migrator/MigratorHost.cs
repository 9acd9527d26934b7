using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>Where the migrator runs: the environment, the fake (offline) and the settings that win over the configuration.</summary>
internal sealed record MigratorSetup(MigratorEnvironment Environment, NeonFakeServer? Fake, IReadOnlyDictionary<string, string?> Overrides, bool Verbose);

/// <summary>The application's host, as a deploy step builds it: the same registration as the application's own.</summary>
internal static class MigratorHost
{
    /// <summary>The embedded scripts' names start with this: <c>Neon.Tenancy.Samples.Migrator.Migrations.0001_create_notes.sql</c>, ...</summary>
    public const string ScriptPrefix = "Neon.Tenancy.Samples.Migrator.Migrations.";

    /// <summary>The scripts of this build, in the order DbUp runs them (ordinal order of their names).</summary>
    public static IReadOnlyList<string> ScriptNames { get; } = typeof(MigratorHost).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(ScriptPrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Builds the host. Settings come from <c>migrator.json</c> beside the program, then environment variables
    /// (<c>NeonTenancy__Catalog__ConnectionString</c>, ...), then <see cref="MigratorSetup.Overrides"/>.
    /// </summary>
    /// <param name="setup">Where to run.</param>
    /// <param name="scripts">Which embedded scripts this build has: <see cref="ScriptPrefix"/> for all of them; a longer prefix for the release before.</param>
    public static IHost Build(MigratorSetup setup, string scripts)
    {
        // No defaults: no appsettings.json of whatever program shares the folder, no command-line configuration (the
        // flags are ours).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration
            .AddJsonFile("migrator.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(setup.Overrides);
        if (setup.Verbose)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        builder.Services
            .AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName))
            .ConfigureApi(o =>
            {
                if (setup.Fake is { } fake)
                {
                    fake.ConfigureApi(o);
                    o.OperationPollInterval = TimeSpan.FromMilliseconds(50);
                }
                else
                {
                    o.ApiKey = setup.Environment.ApiKey!;
                    o.OrgId = string.IsNullOrEmpty(setup.Environment.OrgId) ? o.OrgId : setup.Environment.OrgId;
                }
            })
            .UsePostgresCatalog()
            .AddDbUpMigrations(o => o.AddEmbeddedScripts(typeof(MigratorHost).Assembly, scripts));
        return builder.Build();
    }
}
