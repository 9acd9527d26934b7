using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures what <c>AddNeonTenancy()</c> registered: the tenant catalog and the Neon API client.</summary>
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresTenantCatalogOptions>, PostgresTenantCatalogOptionsAttributeValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresTenantCatalogOptions>, PostgresTenantCatalogOptionsValidator>());
        services.RemoveAll<ITenantCatalog>();
        services.RemoveAll<InMemoryTenantCatalog>();
        services.TryAddSingleton<PostgresTenantCatalog>();
        services.AddSingleton<ITenantCatalog>(static sp => sp.GetRequiredService<PostgresTenantCatalog>());
        services.RemoveAll<ITenantLock>(); // instances sharing the catalog exclude each other through it
        services.AddSingleton<ITenantLock>(static sp =>
        {
            var catalog = sp.GetRequiredService<IOptions<PostgresTenantCatalogOptions>>().Value;
            return new PostgresAdvisoryTenantLock(catalog.ConnectionString!, catalog.Schema);
        });
        return builder;
    }

    /// <summary>
    /// Uses <see cref="InMemoryTenantCatalog"/>: nothing survives the process; for tests and local development.
    /// Replaces a catalog chosen earlier.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
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
        services.RemoveAll<ITenantLock>();
        services.AddSingleton<ITenantLock, InProcessTenantLock>();
        return builder;
    }
}
