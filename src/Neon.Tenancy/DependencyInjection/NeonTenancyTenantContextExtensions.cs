using Microsoft.Extensions.DependencyInjection.Extensions;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the per-scope tenant (<see cref="ITenantContext"/>).</summary>
public static class NeonTenancyTenantContextExtensions
{
    /// <summary>
    /// Registers <see cref="ITenantContext"/> as a scoped service: the host sets the tenant once per scope (request,
    /// job), and the scope's connection follows from it (for raw Npgsql, Dapper and EF Core alike). The scope's
    /// connection is closed when the scope is disposed. No ASP.NET Core dependency: the host decides where the tenant
    /// comes from.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder AddTenantContext(this INeonTenancyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TenantContext>();
        builder.Services.TryAddScoped<ITenantContext>(static sp => sp.GetRequiredService<TenantContext>());
        return builder;
    }
}
