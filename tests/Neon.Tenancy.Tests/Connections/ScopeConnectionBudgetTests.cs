using System.Data;
using System.Diagnostics.Metrics;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Shared;
using Npgsql;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// The budget as the EF Core path uses it: one scope (<see cref="TenantContext"/>), one connection opened through the
/// factory, given to EF Core as <see cref="ITenantContext.Connection"/>. Its slot is back whatever ends the scope.
/// </summary>
[Collection(TenantDatabasesCollection.Name)]
public sealed class ScopeConnectionBudgetTests(TenantDatabasesFixture db)
{
    private readonly LogEvents _log = new();

    private async Task<TenantConnectionFactory> FactoryAsync(int budget, TimeSpan wait, IMeterFactory? meters = null)
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        return TenantDatabasesFixture.CreateFactory(catalog, protector, o =>
        {
            o.ConnectionBudget = budget;
            o.BudgetWaitTimeout = wait;
        }, meterFactory: meters, loggerFactory: _log.Factory);
    }

    /// <summary>Waits until a caller is waiting for the budget (the factory logged it).</summary>
    private Task CallerWaitingForTheBudgetAsync() => _log.WaitForAsync(LogEvents.WaitingForBudget).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Opens a scope's connection for <paramref name="tenant"/> with the default pool (20, more than the budget) and runs a query on it.</summary>
    private async Task<string> UseScopeAsync(TenantConnectionFactory factory, int tenant)
    {
        await using var context = new TenantContext(factory);
        context.SetTenant(db.Tenant(tenant));
        await context.GetConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", context.Connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task ScopeConnection_BudgetOfOne_ScopesForManyTenantsInARow_EachServedWithoutWaiting()
    {
        await using var factory = await FactoryAsync(budget: 1, wait: TimeSpan.Zero);

        for (var i = 0; i < TenantDatabasesFixture.TenantCount; i++)
        {
            Assert.Equal(db.DatabaseName(i), await UseScopeAsync(factory, i));
            Assert.Equal(0, factory.PeekEntry(db.Tenant(i), TenantConnectionKind.Pooled)!.OpenCount);
        }
    }

    [Fact]
    public async Task ScopeConnection_QueryThrows_TheScopeStillReturnsTheSlot()
    {
        await using var factory = await FactoryAsync(budget: 1, wait: TimeSpan.Zero);

        await using (var context = new TenantContext(factory))
        {
            context.SetTenant(db.Tenant(0));
            await context.GetConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT * FROM no_such_table", context.Connection);
            await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
            Assert.Equal(1, factory.PeekEntry(db.Tenant(0), TenantConnectionKind.Pooled)!.OpenCount);
        }

        Assert.Equal(0, factory.PeekEntry(db.Tenant(0), TenantConnectionKind.Pooled)!.OpenCount);
        Assert.Equal(db.DatabaseName(1), await UseScopeAsync(factory, 1));
    }

    [Fact]
    public async Task ScopeConnection_BudgetSpent_ThrowsSayingWhatHoldsIt_LeaksNoSlot()
    {
        await using var factory = await FactoryAsync(budget: 1, wait: TimeSpan.Zero);
        var held = await factory.OpenConnectionAsync(db.Tenant(0));
        await using var context = new TenantContext(factory);
        context.SetTenant(db.Tenant(1));

        var error = await Assert.ThrowsAsync<TenantConnectionBudgetExceededException>(async () => await context.GetConnectionAsync());

        Assert.Equal((1, 1, 0, 1), (error.Budget, error.OpenConnections, error.IdleConnections, error.WaitingCallers));
        Assert.Contains("1 connections open or opening through the factory and 0 idle in pools, with 1 callers waiting", error.Message, StringComparison.Ordinal);
        var password = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString).Password!;
        Assert.DoesNotContain(password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-0", error.Message, StringComparison.Ordinal); // another tenant's id never reaches this tenant's caller
        Assert.Throws<InvalidOperationException>(() => context.Connection);
        var failed = factory.PeekEntry(db.Tenant(1), TenantConnectionKind.Pooled)!;
        Assert.Equal((0, 0), (failed.OpenCount, failed.HeldSlots));

        await held.DisposeAsync();
        Assert.Equal(db.DatabaseName(1), (await context.GetConnectionAsync()).Database);
    }

    [Fact]
    public async Task ScopeConnection_CanceledWhileWaitingForTheBudget_LeaksNoSlot()
    {
        await using var factory = await FactoryAsync(budget: 1, wait: TimeSpan.FromMinutes(5));
        var held = await factory.OpenConnectionAsync(db.Tenant(0));
        await using var context = new TenantContext(factory);
        context.SetTenant(db.Tenant(1));
        using var cancel = new CancellationTokenSource();

        var waiting = context.GetConnectionAsync(cancel.Token).AsTask();
        await CallerWaitingForTheBudgetAsync();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        var canceled = factory.PeekEntry(db.Tenant(1), TenantConnectionKind.Pooled)!;
        Assert.Equal((0, 0), (canceled.OpenCount, canceled.HeldSlots));
        await held.DisposeAsync();
        Assert.Equal(db.DatabaseName(2), await UseScopeAsync(factory, 2).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ScopeConnection_ScopeEndsWhileTheOpenWaits_ConnectionClosed_SlotBack()
    {
        await using var factory = await FactoryAsync(budget: 1, wait: TimeSpan.FromMinutes(5));
        var held = await factory.OpenConnectionAsync(db.Tenant(0));
        var context = new TenantContext(factory);
        context.SetTenant(db.Tenant(1));

        var waiting = context.GetConnectionAsync().AsTask();
        await CallerWaitingForTheBudgetAsync();
        await context.DisposeAsync();
        await held.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, factory.PeekEntry(db.Tenant(1), TenantConnectionKind.Pooled)!.OpenCount);
        Assert.Equal(db.DatabaseName(2), await UseScopeAsync(factory, 2).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task OpenConnectionAsync_BudgetHeldOnlyByIdleConnections_TakesOneSourcesSlotsWithoutABudgetWait()
    {
        using var meters = new TestMeterFactory();
        using var waits = new CounterTotal(meters, "neon.tenancy.connection.budget.waits");
        await using var factory = await FactoryAsync(budget: 2, wait: TimeSpan.Zero, meters);
        await (await factory.OpenConnectionAsync(db.Tenant(0))).DisposeAsync();
        await (await factory.OpenConnectionAsync(db.Tenant(1))).DisposeAsync();
        Assert.Equal(0, factory.FreeBudget); // both slots cover idle pooled connections

        await using var third = await factory.OpenConnectionAsync(db.Tenant(2));

        Assert.Equal(ConnectionState.Open, third.State);
        Assert.Equal(0, waits.Value);

        // One idle source gave its slot back; the other kept its idle connection.
        Assert.Equal(1, factory.PeekEntry(db.Tenant(0), TenantConnectionKind.Pooled)!.HeldSlots + factory.PeekEntry(db.Tenant(1), TenantConnectionKind.Pooled)!.HeldSlots);
        Assert.True(meters.Created > 0);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public int Created => _meters.Count;

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
