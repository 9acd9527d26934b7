using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using NSubstitute;

namespace Neon.Tenancy.Tests.Fleet;

/// <summary>The fleet ledger is one registered service, chosen by the catalog registration like the tenant lock.</summary>
public sealed class FleetLedgerRegistrationTests
{
    private static ServiceProvider Build(Action<IServiceCollection, INeonTenancyBuilder> catalog) => TenancyTestHost.Services(catalog);

    [Fact]
    public async Task UsePostgresCatalog_PostgresLedgerOverTheRegisteredCatalog()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var services = Build((_, b) => b.UsePostgresCatalog(o =>
        {
            o.ConnectionString = "Host=127.0.0.1;Username=u;Password=p;Database=d";
            o.Schema = schema;
        }));

        Assert.IsType<PostgresFleetLedger>(Assert.Single(services.GetServices<IFleetLedger>()));
        Assert.Same(services.GetRequiredService<IFleetLedger>(), services.GetRequiredService<IFleetLedger>());
    }

    [Fact]
    public async Task UseInMemoryCatalog_InMemoryLedgerOnTheRegisteredClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = Build((s, b) =>
        {
            s.AddSingleton<TimeProvider>(time);
            b.UseInMemoryCatalog();
        });

        var ledger = Assert.IsType<InMemoryFleetLedger>(Assert.Single(services.GetServices<IFleetLedger>()));
        var (run, _) = await ledger.CreateRunAsync(new FleetLedgerRun("r1", "w", 1, FleetRunState.Running, null, default, default), [], default);
        Assert.Equal(time.GetUtcNow(), run.CreatedAt);
    }

    [Fact]
    public async Task UsePostgresCatalogThenUseInMemoryCatalog_TheLastChoiceWins()
    {
        await using var services = Build((_, b) => b.UsePostgresCatalog(o => o.ConnectionString = "Host=127.0.0.1;Username=u;Password=p;Database=d").UseInMemoryCatalog());

        Assert.IsType<InMemoryFleetLedger>(Assert.Single(services.GetServices<IFleetLedger>()));
    }

    [Fact]
    public async Task CustomCatalog_InMemoryLedgerByDefault()
    {
        await using var services = Build((s, _) => s.AddSingleton(Substitute.For<ITenantCatalog>()));

        Assert.IsType<InMemoryFleetLedger>(Assert.Single(services.GetServices<IFleetLedger>()));
    }
}
