using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for tenant connections; <c>ConfigureConnections</c> (in <see cref="NeonTenancyBuilderExtensions"/>) adds to its options.</summary>
internal static class ConnectionsRegistration
{
    /// <summary>
    /// Registers <see cref="ITenantConnectionFactory"/> (singleton) with <see cref="ConnectionFactoryOptions"/> bound
    /// from <c>NeonTenancy:Connections</c> and validated at start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<ConnectionFactoryOptions>(configuration, NeonTenancySections.Connections, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectionFactoryOptions>, ConnectionFactoryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectionFactoryOptions>, ConnectionFactoryOptionsCrossFieldValidator>());
        services.TryAddSingleton<TenantConnectionFactory>();
        services.TryAddSingleton<ITenantConnectionFactory>(static sp => sp.GetRequiredService<TenantConnectionFactory>());
        services.TryAddSingleton<ITenantConnectionStats>(static sp => sp.GetRequiredService<TenantConnectionFactory>());
        return services;
    }
}
