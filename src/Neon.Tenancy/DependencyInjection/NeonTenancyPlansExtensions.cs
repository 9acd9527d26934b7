using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the plans (<see cref="TenantPlanOptions"/>) that <see cref="IPlanLimits"/> applies.</summary>
public static class NeonTenancyPlansExtensions
{
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
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TenantPlanOptions>().Configure(configure);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IPlanLimits"/> (singleton) with <see cref="TenantPlanOptions"/> bound from
    /// <c>NeonTenancy:Plans</c> and validated at start, and the <see cref="PlanBook"/> the connection layer reads each
    /// plan's pool size and suspend timeout from. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    internal static IServiceCollection AddNeonTenancyPlans(this IServiceCollection services, IConfiguration? configuration)
    {
        var options = services.AddOptions<TenantPlanOptions>();
        if (configuration is not null)
        {
            options.BindChecked(configuration.GetSection(NeonTenancyOptions.PlansSectionName), static (section, o) => section.Bind(o));
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantPlanOptions>, TenantPlanOptionsValidator>());
        services.TryAddSingleton<PlanBook>();
        services.TryAddSingleton<IPlanLimits, PlanLimits>();
        return services;
    }
}
