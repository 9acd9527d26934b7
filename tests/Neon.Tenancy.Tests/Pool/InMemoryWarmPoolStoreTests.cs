namespace Neon.Tenancy.Tests.Pool;

/// <summary>Every case of <see cref="WarmPoolStoreContract"/> against <see cref="InMemoryWarmPoolStore"/> beside an <see cref="InMemoryTenantCatalog"/>.</summary>
public sealed class InMemoryWarmPoolStoreTests : WarmPoolStoreContract
{
    private protected override (ITenantCatalog Catalog, IWarmPoolStore Store) Create(TimeProvider time)
    {
        var catalog = new InMemoryTenantCatalog(time);
        return (catalog, new InMemoryWarmPoolStore(catalog, time));
    }
}
