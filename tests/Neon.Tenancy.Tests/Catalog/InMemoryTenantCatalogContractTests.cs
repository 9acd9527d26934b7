using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Catalog;

public sealed class InMemoryTenantCatalogContractTests : TenantCatalogContractTests
{
    private InMemoryTenantCatalog? _first;

    protected override Task<ITenantCatalog> CreateCatalogAsync()
    {
        // Every instance after the first shares its data, as a second application instance shares a database.
        var catalog = _first is null ? _first = new InMemoryTenantCatalog(Time) : _first.CreateInstanceSharingData();
        return Task.FromResult<ITenantCatalog>(catalog);
    }
}
