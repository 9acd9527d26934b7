using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures what <c>AddNeonTenancy()</c> registered: the Neon API client, the tenant catalog, plans, connections,
/// provisioning, usage and the per-scope tenant. Each <c>ConfigureX</c> runs after the matching sub-section of the
/// configuration given to <c>AddNeonTenancy</c> (<c>Api</c>, <c>Catalog</c>, <c>Plans</c>, ...); the
/// registrations themselves are the internal <c>*Registration</c> classes beside this file.
/// </summary>
public static class NeonTenancyBuilderExtensions
{
    /// <summary>
    /// Configures the Neon API client (<see cref="Neon.Tenancy.Api.NeonApiOptions"/>) after the <c>Api</c> sub-section
    /// of the configuration given to <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets or overrides the API options (for example the API key).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureApi(this INeonTenancyBuilder builder, Action<Neon.Tenancy.Api.NeonApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddNeonApiClient(configure);
        return builder;
    }

    /// <summary>
    /// Uses <see cref="PostgresTenantCatalog"/>. Its options come from the <c>Catalog</c> sub-section of the
    /// configuration given to <c>AddNeonTenancy</c> (if any), then <paramref name="configure"/>; they are validated at
    /// start, the schema is created/upgraded at host start, and the change-feed listener runs with the host.
    /// Replaces a catalog chosen earlier.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets or overrides options (for example the connection string).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder UsePostgresCatalog(this INeonTenancyBuilder builder, Action<PostgresTenantCatalogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<PostgresTenantCatalogOptions>(); // bound from the Catalog sub-section by AddNeonTenancy
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresTenantCatalogOptions>, PostgresTenantCatalogOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresTenantCatalogOptions>, PostgresTenantCatalogOptionsCrossFieldValidator>());
        services.RemoveAll<ITenantCatalog>();
        services.RemoveAll<InMemoryTenantCatalog>();
        services.TryAddSingleton<PostgresTenantCatalog>();
        services.AddSingleton<ITenantCatalog>(static sp => sp.GetRequiredService<PostgresTenantCatalog>());
        // Instances sharing the catalog exclude each other through it: per tenant (the lock) and per background job (the lease).
        services.TryAddSingleton(static sp =>
        {
            var catalog = sp.GetRequiredService<IOptions<PostgresTenantCatalogOptions>>().Value;
            return new PostgresAdvisoryLocks(catalog.ConnectionString!, catalog.Schema, sp.GetService<Logging.ILoggerFactory>());
        });
        services.RemoveAll<ITenantLock>();
        services.AddSingleton<ITenantLock>(static sp => new PostgresAdvisoryTenantLock(sp.GetRequiredService<PostgresAdvisoryLocks>()));
        services.RemoveAll<IInstanceLease>();
        services.AddSingleton<IInstanceLease>(static sp => new PostgresAdvisoryInstanceLease(sp.GetRequiredService<PostgresAdvisoryLocks>()));
        // and share fleet runs through it: the ledger's tables are in the catalog schema, over the catalog's data source.
        services.RemoveAll<IFleetLedger>();
        services.AddSingleton<IFleetLedger>(static sp => new PostgresFleetLedger(sp.GetRequiredService<PostgresTenantCatalog>()));
        return builder;
    }

    /// <summary>
    /// Uses <see cref="InMemoryTenantCatalog"/>: nothing survives the process; for tests and local development.
    /// Replaces a catalog chosen earlier.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder UseInMemoryCatalog(this INeonTenancyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.RemoveAll<ITenantCatalog>();
        services.RemoveAll<PostgresTenantCatalog>();
        services.TryAddSingleton(static sp => new InMemoryTenantCatalog(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Logging.ILogger<InMemoryTenantCatalog>>()));
        services.AddSingleton<ITenantCatalog>(static sp => sp.GetRequiredService<InMemoryTenantCatalog>());
        services.RemoveAll<PostgresAdvisoryLocks>();
        services.RemoveAll<ITenantLock>();
        services.AddSingleton<ITenantLock, InProcessTenantLock>();
        services.RemoveAll<IInstanceLease>();
        services.AddSingleton<IInstanceLease, InProcessInstanceLease>();
        services.RemoveAll<IFleetLedger>();
        services.AddSingleton<IFleetLedger>(static sp => new InMemoryFleetLedger(sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Sets or overrides <see cref="TenantPlanOptions"/> after the <c>Plans</c> sub-section of the configuration given
    /// to <c>AddNeonTenancy</c>, if any. Validated when the host starts. With no plan configured at all, plan names are
    /// labels only: tenants get Neon's defaults and no quota.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the default plan and adds plans.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigurePlans(this INeonTenancyBuilder builder, Action<TenantPlanOptions> configure)
        => Configure(builder, configure);

    /// <summary>
    /// Sets or overrides <see cref="TenantConnectionOptions"/> after the <c>Connections</c> sub-section of the
    /// configuration given to <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureConnections(this INeonTenancyBuilder builder, Action<TenantConnectionOptions> configure)
        => Configure(builder, configure);

    /// <summary>
    /// Sets or overrides <see cref="TenantProvisioningOptions"/> after the <c>Provisioning</c> sub-section of the
    /// configuration given to <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (for example <see cref="TenantProvisioningOptions.ApplicationRoleName"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureProvisioning(this INeonTenancyBuilder builder, Action<TenantProvisioningOptions> configure)
        => Configure(builder, configure);

    /// <summary>
    /// Sets or overrides <see cref="TenantUsageOptions"/> after the <c>Usage</c> sub-section of the configuration given to
    /// <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureUsage(this INeonTenancyBuilder builder, Action<TenantUsageOptions> configure)
        => Configure(builder, configure);

    /// <summary>
    /// Registers <see cref="ITenantContext"/> as a scoped service: the host sets the tenant once per scope (request,
    /// job), and the scope's connection follows from it (for raw Npgsql, Dapper and EF Core alike). The scope's
    /// connection is closed when the scope is disposed. No ASP.NET Core dependency: the host decides where the tenant
    /// comes from.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder AddTenantContext(this INeonTenancyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TenantContext>();
        builder.Services.TryAddScoped<ITenantContext>(static sp => sp.GetRequiredService<TenantContext>());
        return builder;
    }

    /// <summary>
    /// Registers the application's <see cref="ITenantMigrator"/> (singleton), replacing one registered earlier: fleet
    /// migrations (<see cref="ITenantMigrations"/>) run it, new tenants are provisioned through it (when no
    /// <see cref="ITenantDatabaseInitializer"/> is registered), and the connection factory migrates deferred tenants with
    /// it on their first connection. The EF Core and DbUp packages call this for you.
    /// </summary>
    /// <typeparam name="TMigrator">The migrator.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder AddTenantMigrator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TMigrator>(this INeonTenancyBuilder builder)
        where TMigrator : class, ITenantMigrator
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ITenantMigrator>();
        builder.Services.AddSingleton<ITenantMigrator, TMigrator>();
        builder.Services.TryAddSingleton<ITenantDatabaseInitializer, MigratorInitializer>();
        return builder;
    }

    /// <summary>Registers the application's <see cref="ITenantMigrator"/> built by <paramref name="factory"/> (singleton), replacing one registered earlier; see <see cref="AddTenantMigrator{TMigrator}(INeonTenancyBuilder)"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the migrator.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="factory"/> is null.</exception>
    public static INeonTenancyBuilder AddTenantMigrator(this INeonTenancyBuilder builder, Func<IServiceProvider, ITenantMigrator> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<ITenantMigrator>();
        builder.Services.AddSingleton(factory);
        builder.Services.TryAddSingleton<ITenantDatabaseInitializer, MigratorInitializer>();
        return builder;
    }

    /// <summary>
    /// Sets or overrides <see cref="TenantMigrationOptions"/> after the <c>Migrations</c> sub-section of the
    /// configuration given to <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureMigrations(this INeonTenancyBuilder builder, Action<TenantMigrationOptions> configure)
        => Configure(builder, configure);

    /// <summary>
    /// Sets or overrides <see cref="WarmPoolOptions"/> after the <c>WarmPool</c> sub-section of the configuration given
    /// to <c>AddNeonTenancy</c>, if any. Validated when the host starts; the pool is on once a size is set.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureWarmPool(this INeonTenancyBuilder builder, Action<WarmPoolOptions> configure)
        => Configure(builder, configure);

    /// <summary>Adds <paramref name="configure"/> after the options' configuration section (the one shape of every <c>ConfigureX</c>).</summary>
    private static INeonTenancyBuilder Configure<TOptions>(INeonTenancyBuilder builder, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TOptions>().Configure(configure);
        return builder;
    }
}
