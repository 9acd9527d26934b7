using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for usage and cost; <c>ConfigureUsage</c> (in <see cref="NeonTenancyBuilderExtensions"/>) adds to its options.</summary>
internal static class UsageRegistration
{
    /// <summary>
    /// Registers <see cref="IUsageClient"/> and <see cref="NeonCostCalculator"/> (singletons) with <see cref="TenantUsageOptions"/>
    /// bound from <c>NeonTenancy:Usage</c> and validated at start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<TenantUsageOptions>(configuration, NeonTenancySections.Usage, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantUsageOptions>, TenantUsageOptionsValidator>());
        services.TryAddSingleton<IUsageClient, UsageClient>();
        services.TryAddSingleton<CurrentUsageReader>();
        services.TryAddSingleton<UsageThresholdTracker>();
        services.TryAddSingleton<PlanUsageReader>();
        services.TryAddSingleton<UsageHistoryReader>();
        services.TryAddSingleton<UsageHistoryCache>();
        services.TryAddSingleton(static sp => new NeonCostCalculator(sp.GetRequiredService<IOptions<TenantUsageOptions>>().Value.Prices));
        return services;
    }
}
