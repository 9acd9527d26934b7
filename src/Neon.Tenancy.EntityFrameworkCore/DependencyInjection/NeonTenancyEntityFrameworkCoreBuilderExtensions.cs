using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Neon.Tenancy;
using Neon.Tenancy.EntityFrameworkCore;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// EF Core for Neon.Tenancy: the application's EF Core migrations as the tenants' schema versions
/// (<see cref="AddEntityFrameworkCoreMigrations{TContext}"/>), and a <c>DbContext</c> per scope on the scope tenant's
/// connection (<see cref="AddTenantDbContext{TContext}"/>).
/// </summary>
public static class NeonTenancyEntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="EfCoreTenantMigrator{TContext}"/> as the application's <see cref="ITenantMigrator"/> (through
    /// <c>AddTenantMigrator</c>, replacing one registered earlier): tenants' schema versions are the number of
    /// <typeparamref name="TContext"/>'s migrations applied in their databases, and fleet migrations, provisioning and
    /// deferred first connections apply them.
    /// </summary>
    /// <remarks>
    /// The migration context is created with <see cref="ActivatorUtilities"/>: its constructor gets its
    /// <c>DbContextOptions&lt;TContext&gt;</c> (Npgsql over the migration's connection) and any other parameter from the
    /// root service provider. The migrations are read once, when the migrator is first resolved.
    /// </remarks>
    /// <typeparam name="TContext">The application's context, whose migrations are applied.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="npgsql">
    /// Configures Npgsql's options of the migration context (migrations assembly, history table, plugins); null for EF
    /// Core's defaults. Give it the same configuration as <see cref="AddTenantDbContext{TContext}"/>.
    /// </param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder AddEntityFrameworkCoreMigrations<TContext>(this INeonTenancyBuilder builder, Action<NpgsqlDbContextOptionsBuilder>? npgsql = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var create = ActivatorUtilities.CreateFactory<TContext>([typeof(DbContextOptions<TContext>)]);
        return builder.AddTenantMigrator(services => new EfCoreTenantMigrator<TContext>(
            options => create(services, [options]),
            npgsql,
            services.GetService<ILoggerFactory>()));
    }

    /// <summary>
    /// Registers <typeparamref name="TContext"/> as a scoped service on the scope tenant's connection
    /// (<see cref="ITenantContext.Connection"/>; this calls <c>AddTenantContext</c>): a request's context talks to the
    /// request's tenant, shares the connection (and its transactions) with raw Npgsql code in the scope, and neither
    /// closes nor disposes it (the scope does). Uses EF Core's <c>AddDbContext</c>, so a context registered earlier wins.
    /// </summary>
    /// <remarks>
    /// The connection must be open before the context is resolved: set the tenant and
    /// <c>await ITenantContext.GetConnectionAsync()</c> first in the scope (for example in middleware). EF Core builds the
    /// context synchronously; resolving it earlier throws the <see cref="InvalidOperationException"/> of
    /// <see cref="ITenantContext.Connection"/>, which says so.
    /// </remarks>
    /// <typeparam name="TContext">The application's context.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="npgsql">Configures Npgsql's options (plugins, enum mappings, the migrations history table); null for EF Core's defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static INeonTenancyBuilder AddTenantDbContext<TContext>(this INeonTenancyBuilder builder, Action<NpgsqlDbContextOptionsBuilder>? npgsql = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddTenantContext();
        builder.Services.AddDbContext<TContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<ITenantContext>().Connection, npgsql));
        return builder;
    }
}
