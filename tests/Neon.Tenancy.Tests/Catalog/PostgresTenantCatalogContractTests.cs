using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Catalog;

/// <summary>Every case of <see cref="TenantCatalogContract"/> against real PostgreSQL: one database per class, one schema per case.</summary>
public sealed class PostgresTenantCatalogContractTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    public static TheoryData<string> Cases => new(TenantCatalogContract.CaseNames);

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Contract(string name) => TenantCatalogContract.RunAsync(name, new Target(database, PostgresDatabaseFixture.NewSchema()));

    /// <summary>Catalog instances over one schema; the contract disposes them.</summary>
    private sealed class Target(PostgresDatabaseFixture database, string schema) : ITenantCatalogContractTarget
    {
        public ValueTask<ITenantCatalog> CreateCatalogAsync(TimeProvider timeProvider) =>
            ValueTask.FromResult<ITenantCatalog>(database.CreateCatalog(schema, timeProvider));

        public ValueTask WhenChangeFeedReadyAsync(ITenantCatalog catalog) =>
            new(((PostgresTenantCatalog)catalog).WhenListeningAsync(CancellationToken.None));
    }
}
