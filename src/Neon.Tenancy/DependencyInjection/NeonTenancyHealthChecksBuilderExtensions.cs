using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Neon.Tenancy;
using Neon.Tenancy.Api;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of Neon.Tenancy: catalog, Neon API, connection cache. None of them probes tenants one by one.</summary>
// A class of its own, beside NeonTenancyServiceCollectionExtensions and NeonTenancyBuilderExtensions: it extends a third
// builder (IHealthChecksBuilder, from services.AddHealthChecks()), as ASP.NET Core's own health check packages do.
public static class NeonTenancyHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds three health checks, all tagged <c>neon-tenancy</c> plus <paramref name="tags"/>:
    /// <list type="bullet">
    /// <item><description><c>neon-tenancy-catalog</c>: the tenant catalog answers a one-row query. Failure:
    /// <paramref name="failureStatus"/> (default Unhealthy: without the catalog, new connections fail).</description></item>
    /// <item><description><c>neon-tenancy-api</c>: the Neon API answers one cheap call (list one project), made at most
    /// once per <paramref name="apiProbeInterval"/> whatever the probe rate, with <paramref name="apiProbeTimeout"/>.
    /// Failure: Degraded (the data path never calls Neon; provisioning and plan changes do).</description></item>
    /// <item><description><c>neon-tenancy-connections</c>: the connection factory's cache fill and global budget in use,
    /// read from counters. Degraded when the budget is spent.</description></item>
    /// </list>
    /// Descriptions name failure types, HTTP statuses and Neon error codes, never a message, key or connection string.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="failureStatus">The catalog check's failure status; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Extra tags on all three checks (for example <c>ready</c>).</param>
    /// <param name="apiProbeInterval">How long an API probe result is reused. Default 30 seconds; 1 second to 1 hour.</param>
    /// <param name="apiProbeTimeout">How long the API probe may take. Default 10 seconds; 1 second to 5 minutes.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="apiProbeInterval"/> or <paramref name="apiProbeTimeout"/> is out of range.</exception>
    public static IHealthChecksBuilder AddNeonTenancy(
        this IHealthChecksBuilder builder,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? apiProbeInterval = null,
        TimeSpan? apiProbeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var interval = apiProbeInterval ?? TimeSpan.FromSeconds(30);
        var timeout = apiProbeTimeout ?? TimeSpan.FromSeconds(10);
        if (interval < TimeSpan.FromSeconds(1) || interval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(apiProbeInterval), interval, "The Neon API probe interval must be between 1 second and 1 hour.");
        }

        if (timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(apiProbeTimeout), timeout, "The Neon API probe timeout must be between 1 second and 5 minutes.");
        }

        string[] allTags = [NeonTenancyHealthCheckNames.Tag, .. tags ?? []];
        builder.Services.TryAddSingleton(sp => new NeonApiProbe(
            sp.GetRequiredService<NeonApiClient>(),
            sp.GetRequiredService<IOptions<NeonApiOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            interval,
            timeout));

        builder.Add(new HealthCheckRegistration(
            NeonTenancyHealthCheckNames.Catalog,
            static sp => new TenantCatalogHealthCheck(sp.GetRequiredService<ITenantCatalog>()),
            failureStatus ?? HealthStatus.Unhealthy,
            allTags));
        builder.Add(new HealthCheckRegistration(
            NeonTenancyHealthCheckNames.Api,
            static sp => new NeonApiHealthCheck(sp.GetRequiredService<NeonApiProbe>()),
            HealthStatus.Degraded,
            allTags));
        builder.Add(new HealthCheckRegistration(
            NeonTenancyHealthCheckNames.Connections,
            static sp => new TenantConnectionsHealthCheck(sp.GetRequiredService<ITenantConnectionStats>()),
            HealthStatus.Degraded,
            allTags));
        return builder;
    }
}
