using System.Net.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Neon API v2 client and its HTTP runtime.</summary>
public static class NeonApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Neon API client: <see cref="NeonApiClient"/> as a singleton, <see cref="NeonApiOptions"/> (validated when the host starts), a named
    /// <see cref="HttpClient"/> with authentication, retries, one deadline per call, client-side rate limits,
    /// logging and tracing, and <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; may be omitted when they are bound from configuration
    /// (e.g. <c>services.AddOptions&lt;NeonApiOptions&gt;().BindConfiguration("Neon")</c>). Calling this method
    /// again adds the configuration but registers nothing twice.</param>
    /// <returns>The builder of the named <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddNeonApiClient(this IServiceCollection services, Action<NeonApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<NeonApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var builder = services.AddHttpClient(NeonApiClient.HttpClientName);
        if (services.Any(static d => d.ServiceType == typeof(NeonApiClientRegistration)))
        {
            // Already registered: only the configuration above is added.
            return builder;
        }

        services.AddSingleton<NeonApiClientRegistration>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeonApiOptions>, NeonApiOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeonApiOptions>, NeonApiOptionsCrossFieldValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NeonRateLimiter>();

        builder
            .ConfigureHttpClient(static (sp, client) =>
            {
                client.BaseAddress = sp.GetRequiredService<IOptionsMonitor<NeonApiOptions>>().CurrentValue.BaseAddress;

                // NeonApiOptions.Timeout governs each call, retries included.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // The client is a long-lived singleton: recycle connections so DNS changes are seen.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(static sp => new NeonApiHandler(
                sp.GetRequiredService<IOptionsMonitor<NeonApiOptions>>(),
                sp.GetRequiredService<NeonRateLimiter>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<NeonApiHandler>>()))

            // The factory's default request logging sees each attempt with its Authorization header, and even with
            // redaction on it passes raw header values in the structured log state (which sinks may export).
            // NeonApiHandler logs every attempt itself, without headers.
            .RemoveAllLoggers();

        services.TryAddSingleton(static sp => new NeonApiClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(NeonApiClient.HttpClientName),
            sp.GetRequiredService<IOptionsMonitor<NeonApiOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>Marks that <see cref="AddNeonApiClient"/> ran, so a second call registers nothing twice.</summary>
    private sealed class NeonApiClientRegistration
    {
    }
}
