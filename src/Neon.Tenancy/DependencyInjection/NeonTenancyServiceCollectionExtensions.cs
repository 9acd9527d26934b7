using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Neon.Tenancy: <c>AddNeonTenancy</c> returns the <see cref="INeonTenancyBuilder"/> that
/// <see cref="NeonTenancyBuilderExtensions"/> configures. What each feature registers is in the internal
/// <c>CheckpointsRegistration</c>, <c>ConnectionsRegistration</c>, <c>MigrationsRegistration</c>, <c>PlansRegistration</c>, <c>ProvisioningRegistration</c>, <c>UsageRegistration</c> and <c>WarmPoolRegistration</c>.
/// </summary>
public static class NeonTenancyServiceCollectionExtensions
{
    /// <summary>
    /// Adds Neon.Tenancy with options bound from a configuration section (usually <c>configuration.GetSection("NeonTenancy")</c>)
    /// and validated at start. Sub-sections: <c>Secrets</c>, <c>Catalog</c> (read by <c>UsePostgresCatalog()</c>) and
    /// <c>Api</c> (the Neon API client). Then choose a catalog: <c>UsePostgresCatalog()</c> or <c>UseInMemoryCatalog()</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The <c>NeonTenancy</c> configuration section.</param>
    /// <returns>A builder to configure further.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static INeonTenancyBuilder AddNeonTenancy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NeonTenancyOptions>().BindChecked(configuration, static (section, o) => section.Bind(o));
        return AddCore(services, configuration);
    }

    /// <summary>
    /// Adds Neon.Tenancy with options set in code and validated at start. Then choose a catalog:
    /// <c>UsePostgresCatalog(o => ...)</c> or <c>UseInMemoryCatalog()</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to configure further.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder AddNeonTenancy(this IServiceCollection services, Action<NeonTenancyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<NeonTenancyOptions>().Configure(configure);
        return AddCore(services, configuration: null);
    }

    private static NeonTenancyBuilder AddCore(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddOptions<NeonTenancyOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeonTenancyOptions>, NeonTenancyOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeonTenancyOptions>, NeonTenancyOptionsCrossFieldValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionSecretProtector, AesGcmConnectionSecretProtector>();
        services.TryAddSingleton<ITenantLock, InProcessTenantLock>(); // UsePostgresCatalog() replaces it with the advisory lock
        services.TryAddSingleton<IInstanceLease, InProcessInstanceLease>(); // and this with the advisory lease
        services.TryAddSingleton<IFleetLedger>(static sp => new InMemoryFleetLedger(sp.GetRequiredService<TimeProvider>())); // and this with the catalog's tables
        services.TryAddSingleton(static sp => new TenantMutator( // the one mutation path (lock, wait, mutate) of the provider, plans and fleet work
            sp.GetRequiredService<ITenantCatalog>(), sp.GetRequiredService<Neon.Tenancy.Api.NeonApiClient>(), sp.GetRequiredService<ITenantLock>(),
            sp.GetRequiredService<IOptions<TenantProvisioningOptions>>().Value.OperationTimeout, sp.GetService<Logging.ILogger<TenantMutator>>()));
        services.TryAddSingleton(static sp => new TenantRestorer( // the one restore path of point-in-time and checkpoint restores
            sp.GetRequiredService<TenantMutator>(), sp.GetRequiredService<IConnectionSecretProtector>(),
            sp.GetRequiredService<IOptions<TenantProvisioningOptions>>().Value.SslMode,
            sp.GetRequiredService<IOptions<TenantCheckpointOptions>>().Value.DeletePreviousBranch, sp.GetService<Logging.ILogger<TenantRestorer>>()));
        services.TryAddSingleton<TenantProjectSetup>();
        services.TryAddSingleton<ITenantProjectPool>(static sp => new WarmPoolClaims( // the warm pool's claim path (idle while the pool is off)
            new Lazy<IWarmPoolStore?>(() => WarmPoolStores.Find(sp)), sp.GetRequiredService<WarmPoolLayout>(), sp.GetRequiredService<TenantMutator>(),
            sp.GetRequiredService<TenantProjectSetup>(), sp.GetRequiredService<WarmPoolMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Logging.ILogger<WarmPoolClaims>>(), sp.GetService<ITenantMigrator>(), sp.GetService<PlanBook>()));
        services.TryAddSingleton<ITenantDatabaseProvider, TenantDatabaseProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, NeonTenancyHostedService>());
        // Every options type bound from the NeonTenancy section is bound here or by its feature's registration through
        // BindChecked, so a value that cannot be converted fails at start naming the setting (never quoting the value).
        if (configuration is not null)
        {
            services.AddOptions<Neon.Tenancy.Api.NeonApiOptions>()
                .BindChecked(configuration.GetSection(NeonTenancySections.Api), static (section, o) => section.Bind(o));
            services.AddOptions<PostgresTenantCatalogOptions>() // read only when UsePostgresCatalog() is called (which validates them)
                .BindChecked(configuration.GetSection(NeonTenancySections.Catalog), static (section, o) => section.Bind(o));
        }

        CheckpointsRegistration.Add(services, configuration);
        ConnectionsRegistration.Add(services, configuration);
        MigrationsRegistration.Add(services, configuration);
        PlansRegistration.Add(services, configuration);
        ProvisioningRegistration.Add(services, configuration);
        UsageRegistration.Add(services, configuration);
        WarmPoolRegistration.Add(services, configuration);

        // The Neon API client (Neon.Tenancy.Api) reads its options from the NeonTenancy:Api sub-section (bound above),
        // and from INeonTenancyBuilder.ConfigureApi(...) for code-first hosts.
        services.AddNeonApiClient();
        return new NeonTenancyBuilder(services);
    }
}
