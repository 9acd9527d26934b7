using Microsoft.Extensions.DependencyInjection;

namespace Neon.Tenancy;

/// <summary>
/// Chooses the <see cref="IWarmPoolStore"/> of the registered catalog: a claim binds a pool project to a tenant in one
/// transaction, so the pool's entries must live in the catalog's own store.
/// </summary>
internal static class WarmPoolStores
{
    /// <summary>
    /// The store of the registered <see cref="ITenantCatalog"/> when it is the one <c>UsePostgresCatalog()</c> or
    /// <c>UseInMemoryCatalog()</c> registered: a <see cref="PostgresWarmPoolStore"/> over the PostgreSQL catalog's data
    /// source, schema and clock, or the <see cref="InMemoryWarmPoolStore"/> of the in-memory catalog instance (one per
    /// instance, whoever asks).
    /// </summary>
    /// <param name="services">The container.</param>
    /// <exception cref="InvalidOperationException">The registered catalog is neither (a custom <see cref="ITenantCatalog"/>).</exception>
    public static IWarmPoolStore For(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var catalog = services.GetRequiredService<ITenantCatalog>();

        // Identity with the catalog services the Use...Catalog() calls register, not a type test: a decorator registered
        // as ITenantCatalog over one of them is a custom catalog, whose own work on updates a claim would bypass.
        if (services.GetService<InMemoryTenantCatalog>() is { } memory && ReferenceEquals(memory, catalog))
        {
            return memory.Companion(() => new InMemoryWarmPoolStore(memory, memory.TimeProvider));
        }

        if (services.GetService<PostgresTenantCatalog>() is { } postgres && ReferenceEquals(postgres, catalog))
        {
            return new PostgresWarmPoolStore(postgres);
        }

        throw new InvalidOperationException(
            "The warm pool needs UsePostgresCatalog() or UseInMemoryCatalog(); a custom ITenantCatalog cannot bind a pool project to a tenant in one transaction.");
    }
}
