using Neon.Tenancy.Tests.Connections;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Migrations;

/// <summary>A migration's connections (<see cref="TenantMigrationContext.OpenConnectionAsync"/>) hold a slot of the global budget until closed.</summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class MigrationConnectionBudgetTests(TenantDatabasesFixture db)
{
    [Fact]
    public async Task OpenBudgetedAsync_HoldsASlotUntilClosed_AndGivesItBackWhenTheOpenFails()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = TenantDatabasesFixture.CreateFactory(catalog, protector, o =>
        {
            o.ConnectionBudget = 1;
            o.BudgetWaitTimeout = TimeSpan.FromMilliseconds(200);
        });
        var tenant = db.Tenant(0);

        var first = await factory.OpenBudgetedAsync(tenant, TestPostgres.AdminConnectionString, default);
        Assert.Equal(0, factory.FreeBudget);
        await Assert.ThrowsAsync<TenantConnectionBudgetExceededException>(async () => await factory.OpenBudgetedAsync(tenant, TestPostgres.AdminConnectionString, default));

        await first.DisposeAsync();
        Assert.Equal(1, factory.FreeBudget);

        var refused = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString) { Password = "wrong" }.ConnectionString;
        await Assert.ThrowsAsync<PostgresException>(async () => await factory.OpenBudgetedAsync(tenant, refused, default));
        Assert.Equal(1, factory.FreeBudget);

        await using var again = await factory.OpenBudgetedAsync(tenant, TestPostgres.AdminConnectionString, default);
        await again.CloseAsync();
        Assert.Equal(1, factory.FreeBudget); // closed then disposed: one slot back, not two
    }
}
