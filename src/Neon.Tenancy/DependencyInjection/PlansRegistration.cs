using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for plans; <c>ConfigurePlans</c> (in <see cref="NeonTenancyBuilderExtensions"/>) adds to its options.</summary>
internal static class PlansRegistration
{
    /// <summary>
    /// Registers <see cref="IPlanLimits"/> (singleton) with <see cref="TenantPlanOptions"/> bound from
    /// <c>NeonTenancy:Plans</c> and validated at start, and the <see cref="PlanBook"/> the connection layer reads each
    /// plan's pool size and suspend timeout from. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<TenantPlanOptions>(configuration, NeonTenancySections.Plans, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantPlanOptions>, TenantPlanOptionsValidator>());
        services.TryAddSingleton<PlanBook>();
        services.TryAddSingleton<IPlanLimits, PlanLimits>();
        return services;
    }
}
