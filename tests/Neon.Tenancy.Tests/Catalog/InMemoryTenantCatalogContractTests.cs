using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Catalog;

/// <summary>Every case of <see cref="TenantCatalogContract"/> against <see cref="InMemoryTenantCatalog"/>, each its own test.</summary>
public sealed class InMemoryTenantCatalogContractTests
{
    public static TheoryData<string> Cases => new(TenantCatalogContract.CaseNames);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Contract(string name)
    {
        // Every instance after the first shares its data, as a second application instance shares a database.
        InMemoryTenantCatalog? first = null;
        return TenantCatalogContract.RunAsync(name, TenantCatalogContract.Target(time => first is null ? first = new InMemoryTenantCatalog(time) : first.CreateInstanceSharingData()));
    }
}
