using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the tenant database provider (<see cref="ITenantDatabaseProvider"/>) that <c>AddNeonTenancy()</c> registers.</summary>
public static class NeonTenancyProvisioningExtensions
{
    /// <summary>
    /// Sets or overrides <see cref="TenantProvisioningOptions"/> after the <c>Provisioning</c> sub-section of the
    /// configuration given to <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (for example <see cref="TenantProvisioningOptions.ApplicationRoleName"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureProvisioning(this INeonTenancyBuilder builder, Action<TenantProvisioningOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<TenantProvisioningOptions>().Configure(configure);
        return builder;
    }

    /// <summary>
    /// Binds <see cref="TenantProvisioningOptions"/> from <c>NeonTenancy:Provisioning</c> and validates them at start.
    /// Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    internal static IServiceCollection AddNeonTenancyProvisioning(this IServiceCollection services, IConfiguration? configuration)
    {
        var options = services.AddOptions<TenantProvisioningOptions>();
        if (configuration is not null)
        {
            options.BindChecked(configuration.GetSection(NeonTenancyOptions.ProvisioningSectionName), static (section, o) => section.Bind(o));
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantProvisioningOptions>, TenantProvisioningOptionsValidator>());
        return services;
    }
}
