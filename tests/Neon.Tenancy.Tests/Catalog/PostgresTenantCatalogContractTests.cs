using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Catalog;

/// <summary>The contract suite against real PostgreSQL: one database per class, one schema per test.</summary>
public sealed class PostgresTenantCatalogContractTests(PostgresDatabaseFixture database)
    : TenantCatalogContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _schema = PostgresDatabaseFixture.NewSchema();
    private readonly List<PostgresTenantCatalog> _instances = [];

    protected override Task<ITenantCatalog> CreateCatalogAsync()
    {
        var catalog = database.CreateCatalog(_schema, Time);
        _instances.Add(catalog);
        return Task.FromResult<ITenantCatalog>(catalog);
    }

    protected override Task WhenChangeFeedReadyAsync(ITenantCatalog catalog) =>
        ((PostgresTenantCatalog)catalog).WhenListeningAsync(CancellationToken.None);

    public override async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
    }
}
