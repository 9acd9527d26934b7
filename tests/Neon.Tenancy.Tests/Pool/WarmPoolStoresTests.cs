using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Tests.Infrastructure;
using NSubstitute;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>The warm pool's store follows the registered catalog, and refuses one it cannot share a transaction with.</summary>
public sealed class WarmPoolStoresTests
{
    private static ServiceProvider Build(Action<IServiceCollection, INeonTenancyBuilder> catalog) => TenancyTestHost.Services(catalog);

    [Fact]
    public async Task For_InMemoryCatalog_OneStoreBesideThatCatalogInstance()
    {
        await using var services = Build((_, b) => b.UseInMemoryCatalog());
        var catalog = services.GetRequiredService<InMemoryTenantCatalog>();
        var tenant = (await catalog.ReserveAsync(new TenantReservation { TenantId = TenantId.Parse("acme"), Plan = "pro" })).Record;

        var store = Assert.IsType<InMemoryWarmPoolStore>(WarmPoolStores.For(services));
        await store.AddAsync(new WarmPoolEntry { Id = "e1", Region = "", PlanClass = "", State = WarmPoolEntryState.Ready, ProjectName = "pool--e1", DatabaseName = "db", RoleName = "owner" });
        var claim = await WarmPoolStores.For(services).ClaimAsync(new WarmPoolClaimRequest(tenant.TenantId, "", "", 0, "db", "owner", null, e => tenant with { ProjectId = "p-" + e.Id }));

        Assert.Same(store, WarmPoolStores.For(services));
        Assert.Equal("e1", claim!.Entry.Id);
        Assert.Equal("p-e1", (await catalog.GetAsync(tenant.TenantId))!.ProjectId);
        await using var other = Build((_, b) => b.UseInMemoryCatalog());
        Assert.NotSame(store, WarmPoolStores.For(other)); // another container, another catalog
    }

    [Fact]
    public async Task For_PostgresCatalog_StoreOverThatCatalog()
    {
        await using var services = Build((_, b) => b.UsePostgresCatalog(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Username=u;Password=p;Database=d";
            o.Schema = PostgresDatabaseFixture.NewSchema();
        }));

        Assert.IsType<PostgresWarmPoolStore>(WarmPoolStores.For(services));
    }

    [Fact]
    public async Task For_CustomCatalog_InvalidOperationExceptionNamingTheChoices()
    {
        await using var services = Build((s, _) => s.AddSingleton(Substitute.For<ITenantCatalog>()));

        var ex = Assert.Throws<InvalidOperationException>(() => WarmPoolStores.For(services));

        Assert.Contains("UsePostgresCatalog() or UseInMemoryCatalog()", ex.Message, StringComparison.Ordinal);
        Assert.Contains("custom ITenantCatalog", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task For_AnotherCatalogRegisteredOverTheInMemoryOne_InvalidOperationException()
    {
        // As a decorator would be: the in-memory catalog is still a registered service, but not the ITenantCatalog.
        await using var services = Build((s, b) =>
        {
            b.UseInMemoryCatalog();
            s.AddSingleton(Substitute.For<ITenantCatalog>());
        });

        Assert.Throws<InvalidOperationException>(() => WarmPoolStores.For(services));
    }
}
