using Microsoft.Extensions.Logging;
using Neon.Tenancy.DbUp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="DbUpTenantMigrator"/>: tenant schemas migrated by plain SQL scripts through DbUp.</summary>
public static class DbUpNeonTenancyBuilderExtensions
{
    /// <summary>
    /// Registers a <see cref="DbUpTenantMigrator"/> over the scripts <paramref name="configure"/> adds, as the application's
    /// <see cref="Neon.Tenancy.ITenantMigrator"/> (replacing one registered earlier; see <c>AddTenantMigrator</c>). The
    /// options are checked here; the scripts are read when the migrator is first resolved.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adds the scripts (<see cref="DbUpMigrationOptions.AddEmbeddedScripts"/>, <see cref="DbUpMigrationOptions.AddScriptsFromFolder"/>) and sets the journal.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of its rules or no script source was added (the message names the setting).</exception>
    public static INeonTenancyBuilder AddDbUpMigrations(this INeonTenancyBuilder builder, Action<DbUpMigrationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DbUpMigrationOptions();
        configure(options);
        options.Validate();
        return builder.AddTenantMigrator(sp => new DbUpTenantMigrator(options, sp.GetService<ILogger<DbUpTenantMigrator>>()));
    }
}
