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
        return CatalogOf(services) switch
        {
            InMemoryTenantCatalog memory => memory.Companion(() => new InMemoryWarmPoolStore(memory, memory.TimeProvider)),
            PostgresTenantCatalog postgres => new PostgresWarmPoolStore(postgres),
            _ => throw new InvalidOperationException(
                "The warm pool needs UsePostgresCatalog() or UseInMemoryCatalog(); a custom ITenantCatalog cannot bind a pool project to a tenant in one transaction."),
        };
    }

    /// <summary>
    /// The registered <see cref="IWarmPoolStore"/>, or <see langword="null"/> when the catalog cannot host one (a custom
    /// catalog: no pool was ever possible there, so there is nothing to read or finish).
    /// </summary>
    /// <param name="services">The container.</param>
    public static IWarmPoolStore? Find(IServiceProvider services) =>
        CatalogOf(services) is null ? null : services.GetRequiredService<IWarmPoolStore>();

    /// <summary>
    /// The catalog a pool can live in: the registered <see cref="ITenantCatalog"/> when it is the very instance
    /// <c>UseInMemoryCatalog()</c> or <c>UsePostgresCatalog()</c> registered. Identity, not a type test: a decorator
    /// registered as <see cref="ITenantCatalog"/> over one of them is a custom catalog, whose own work on updates a claim
    /// would bypass.
    /// </summary>
    private static ITenantCatalog? CatalogOf(IServiceProvider services)
    {
        var catalog = services.GetRequiredService<ITenantCatalog>();
        if (services.GetService<InMemoryTenantCatalog>() is { } memory && ReferenceEquals(memory, catalog))
        {
            return memory;
        }

        return services.GetService<PostgresTenantCatalog>() is { } postgres && ReferenceEquals(postgres, catalog) ? postgres : null;
    }
}
