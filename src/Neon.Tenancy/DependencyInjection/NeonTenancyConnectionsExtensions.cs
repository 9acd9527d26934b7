using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the tenant connection factory (<see cref="ITenantConnectionFactory"/>) that <c>AddNeonTenancy()</c> registers.</summary>
public static class NeonTenancyConnectionsExtensions
{
    /// <summary>
    /// Sets or overrides <see cref="ConnectionFactoryOptions"/> after the <c>Connections</c> sub-section of the
    /// configuration given to <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureConnections(this INeonTenancyBuilder builder, Action<ConnectionFactoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ConnectionFactoryOptions>().Configure(configure);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="ITenantConnectionFactory"/> (singleton) with <see cref="ConnectionFactoryOptions"/> bound
    /// from <c>NeonTenancy:Connections</c> and validated at start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    internal static IServiceCollection AddNeonTenancyConnections(this IServiceCollection services, IConfiguration? configuration)
    {
        var options = services.AddOptions<ConnectionFactoryOptions>();
        if (configuration is not null)
        {
            options.BindChecked(configuration.GetSection(ConnectionFactoryOptions.SectionName), static (section, o) => section.Bind(o));
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectionFactoryOptions>, ConnectionFactoryOptionsValidator>());
        services.TryAddSingleton<TenantConnectionFactory>();
        services.TryAddSingleton<ITenantConnectionFactory>(static sp => sp.GetRequiredService<TenantConnectionFactory>());
        services.TryAddSingleton<ITenantConnectionStats>(static sp => sp.GetRequiredService<TenantConnectionFactory>());
        return services;
    }
}
