using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Mutations;

/// <summary>The tenant lock is one registered service, chosen by the catalog registration, and the kit uses that one.</summary>
public sealed class TenantLockRegistrationTests
{
    private static ServiceProvider Build(Action<INeonTenancyBuilder> catalog) => TenancyTestHost.Services((_, b) => catalog(b));

    [Fact]
    public async Task UseInMemoryCatalog_InProcessLock_TheKitUsesTheRegisteredOne()
    {
        await using var services = Build(b => b.UseInMemoryCatalog());

        var registered = Assert.IsType<InProcessTenantLock>(services.GetRequiredService<ITenantLock>());
        Assert.Same(registered, services.GetRequiredService<TenantMutator>().Lock);
    }

    [Fact]
    public async Task UsePostgresCatalog_AdvisoryLock_TheKitUsesTheRegisteredOne()
    {
        await using var services = Build(b => b.UsePostgresCatalog(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Username=u;Password=p;Database=d";
            o.Schema = PostgresDatabaseFixture.NewSchema();
        }));

        var registered = Assert.IsType<PostgresAdvisoryTenantLock>(services.GetRequiredService<ITenantLock>());
        Assert.Same(registered, services.GetRequiredService<TenantMutator>().Lock);
    }

    [Fact]
    public async Task UsePostgresCatalogThenUseInMemoryCatalog_TheLastChoiceWins()
    {
        await using var services = Build(b => b.UsePostgresCatalog(o => o.ConnectionString = "Host=127.0.0.1;Username=u;Password=p;Database=d").UseInMemoryCatalog());

        Assert.IsType<InProcessTenantLock>(Assert.Single(services.GetServices<ITenantLock>()));
    }
}
