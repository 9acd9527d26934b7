using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for tenant connections; <c>ConfigureConnections</c> (in <see cref="NeonTenancyBuilderExtensions"/>) adds to its options.</summary>
internal static class ConnectionsRegistration
{
    /// <summary>
    /// Registers <see cref="ITenantConnectionFactory"/> (singleton) with <see cref="TenantConnectionOptions"/> bound
    /// from <c>NeonTenancy:Connections</c> and validated at start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<TenantConnectionOptions>(configuration, NeonTenancySections.Connections, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantConnectionOptions>, TenantConnectionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantConnectionOptions>, TenantConnectionOptionsCrossFieldValidator>());
        services.TryAddSingleton<TenantConnectionFactory>();
        services.TryAddSingleton<ITenantConnectionFactory>(static sp => sp.GetRequiredService<TenantConnectionFactory>());
        services.TryAddSingleton<ITenantConnectionStats>(static sp => sp.GetRequiredService<TenantConnectionFactory>());
        return services;
    }
}
