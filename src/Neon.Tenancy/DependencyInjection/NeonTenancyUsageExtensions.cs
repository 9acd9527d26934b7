using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures usage and cost (<see cref="IUsageClient"/>, <see cref="NeonCostCalculator"/>) that <c>AddNeonTenancy()</c> registers.</summary>
public static class NeonTenancyUsageExtensions
{
    /// <summary>
    /// Sets or overrides <see cref="UsageOptions"/> after the <c>Usage</c> sub-section of the configuration given to
    /// <c>AddNeonTenancy</c>, if any. Validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    public static INeonTenancyBuilder ConfigureUsage(this INeonTenancyBuilder builder, Action<UsageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<UsageOptions>().Configure(configure);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IUsageClient"/> and <see cref="NeonCostCalculator"/> (singletons) with <see cref="UsageOptions"/>
    /// bound from <c>NeonTenancy:Usage</c> and validated at start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    internal static IServiceCollection AddNeonTenancyUsage(this IServiceCollection services, IConfiguration? configuration)
    {
        var options = services.AddOptions<UsageOptions>();
        if (configuration is not null)
        {
            options.BindChecked(configuration.GetSection(UsageOptions.SectionName), static (section, o) => section.Bind(o));
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UsageOptions>, UsageOptionsValidator>());
        services.TryAddSingleton<IUsageClient, UsageClient>();
        services.TryAddSingleton<CurrentUsageReader>();
        services.TryAddSingleton<UsageThresholdTracker>();
        services.TryAddSingleton<PlanUsageReader>();
        services.TryAddSingleton<UsageHistoryReader>();
        services.TryAddSingleton<UsageHistoryCache>();
        services.TryAddSingleton(static sp => new NeonCostCalculator(sp.GetRequiredService<IOptions<UsageOptions>>().Value.Prices));
        return services;
    }
}
