using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for the warm pool; <c>ConfigureWarmPool</c> (in <see cref="NeonTenancyBuilderExtensions"/>) adds to its options.</summary>
internal static class WarmPoolRegistration
{
    /// <summary>
    /// Registers <see cref="ITenantWarmPool"/> (singleton), the pool layout, its metrics, the store of the registered
    /// catalog (resolved on first use only: a host without the pool never needs one, and a custom catalog is refused at
    /// start only when a pool size is set) and the <see cref="WarmPoolReplenisher"/> hosted service (idle while the pool
    /// is off), with <see cref="WarmPoolOptions"/> bound from <c>NeonTenancy:WarmPool</c> and validated at start. The
    /// claim's side (<see cref="ITenantProjectPool"/>) is registered beside the provider. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<WarmPoolOptions>(configuration, NeonTenancySections.WarmPool, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WarmPoolOptions>, WarmPoolOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WarmPoolOptions>, WarmPoolOptionsRules>());
        services.TryAddSingleton(static sp => new WarmPoolLayout(sp.GetRequiredService<IOptions<WarmPoolOptions>>(), sp.GetRequiredService<PlanBook>()));
        services.TryAddSingleton<WarmPoolMetrics>();
        services.TryAddSingleton(static sp => WarmPoolStores.For(sp));
        services.TryAddSingleton<TenantWarmPool>();
        services.TryAddSingleton<ITenantWarmPool>(static sp => sp.GetRequiredService<TenantWarmPool>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, WarmPoolReplenisher>());
        return services;
    }
}
