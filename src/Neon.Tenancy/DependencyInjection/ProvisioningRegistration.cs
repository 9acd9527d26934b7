using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for provisioning; <c>ConfigureProvisioning</c> (in <see cref="NeonTenancyBuilderExtensions"/>) adds to its options.</summary>
internal static class ProvisioningRegistration
{
    /// <summary>
    /// Binds <see cref="TenantProvisioningOptions"/> from <c>NeonTenancy:Provisioning</c> and validates them at start.
    /// Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<TenantProvisioningOptions>(configuration, NeonTenancySections.Provisioning, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantProvisioningOptions>, TenantProvisioningOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantProvisioningOptions>, TenantProvisioningOptionsCrossFieldValidator>());
        return services;
    }
}
