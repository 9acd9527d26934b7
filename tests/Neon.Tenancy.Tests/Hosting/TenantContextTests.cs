using System.Data;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;
using NSubstitute;
using Npgsql;

namespace Neon.Tenancy.Tests.Hosting;

public sealed class TenantContextTests : IAsyncLifetime
{
    private static readonly TenantProvisionRequest Request = new() { Plan = "pro" };
    private static readonly TenantId Acme = TenantId.Parse("ctx-acme");
    private static readonly TenantId Globex = TenantId.Parse("ctx-globex");
    private NeonFakeServer _fake = null!;
    private ProvisioningRig _rig = null!;

    public async Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake(TimeSpan.Zero);
        _rig = ProvisioningRig.Create(_fake, SecretsTestData.NewKey(), configure: s => s.AddNeonTenancyTenantContextForTests());
        await _rig.Provider.ProvisionAsync(Acme, Request);
        await _rig.Provider.ProvisionAsync(Globex, Request);
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private TenantConnectionFactory Factory => (TenantConnectionFactory)_rig.Services.GetRequiredService<ITenantConnectionFactory>();

    /// <summary>Connections of the tenant's pooled data source open through the factory now.</summary>
    private int OpenCount(TenantId tenant) => Factory.PeekEntry(tenant, TenantConnectionKind.Pooled)!.OpenCount;

    /// <summary>The scope's tenant context, set to <paramref name="tenant"/> (what the host's middleware does).</summary>
    private static ITenantContext ContextFor(AsyncServiceScope scope, TenantId tenant)
    {
        var context = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        context.SetTenant(tenant);
        return context;
    }

    /// <summary>
    /// In a scope set to <paramref name="tenant"/>: the scope's connection, given to <paramref name="body"/>, is the one
    /// connection the tenant has open; after the scope it is closed and back in the pool.
    /// </summary>
    private async Task InScopeThenReturnedAsync(TenantId tenant, Func<ITenantContext, NpgsqlConnection, Task> body)
    {
        NpgsqlConnection connection;
        await using (var scope = _rig.Services.CreateAsyncScope())
        {
            var context = ContextFor(scope, tenant);
            connection = await context.GetConnectionAsync();
            await body(context, connection);
            Assert.Equal(1, OpenCount(tenant));
        }

        Assert.Equal(ConnectionState.Closed, connection.State);
        Assert.Equal(0, OpenCount(tenant));
    }

    [Fact]
    public async Task GetConnectionAsync_TwiceInOneScope_SharesOneOpenConnection_AndScopeEndReturnsItToThePool()
    {
        await InScopeThenReturnedAsync(Acme, async (context, connection) =>
        {
            var again = await context.GetConnectionAsync();

            Assert.Same(connection, again);
            Assert.Equal(ConnectionState.Open, connection.State);
        });
    }

    [Fact]
    public async Task GetConnectionAsync_TwoScopesTwoTenants_EachReachesItsOwnDatabase()
    {
        var databases = new List<string>();
        foreach (var tenant in new[] { Acme, Globex })
        {
            await using var scope = _rig.Services.CreateAsyncScope();
            var connection = await ContextFor(scope, tenant).GetConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            databases.Add((string)(await command.ExecuteScalarAsync())!);
        }

        Assert.Equal(2, databases.Distinct().Count());
    }

    [Fact]
    public async Task GetConnectionAsync_ThenConnection_IsTheScopesOpenConnection_ClosedWithTheScope()
    {
        await InScopeThenReturnedAsync(Globex, async (context, connection) =>
        {
            Assert.Same(connection, context.Connection);
            await using var command = new NpgsqlCommand("SELECT 1", context.Connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
        });
    }

    [Fact]
    public async Task GetConnectionAsync_UnknownTenant_ThrowsTenantNotFound()
    {
        await using var scope = _rig.Services.CreateAsyncScope();
        var context = ContextFor(scope, TenantId.Parse("nobody"));

        var ex = await Assert.ThrowsAsync<TenantNotFoundException>(async () => await context.GetConnectionAsync());

        Assert.Equal("nobody", ex.TenantId.Value);
    }

    [Fact]
    public async Task Connection_BeforeGetConnectionAsync_ThrowsSayingWhatToCall_AndAfterTheScope_ThrowsDisposed()
    {
        var context = new TenantContext(Substitute.For<ITenantConnectionFactory>());

        var noTenant = Assert.Throws<InvalidOperationException>(() => context.Connection);
        context.SetTenant(Acme);
        var notOpened = Assert.Throws<InvalidOperationException>(() => context.Connection);
        await context.DisposeAsync();

        Assert.Contains("SetTenant", noTenant.Message, StringComparison.Ordinal);
        Assert.Contains("GetConnectionAsync", notOpened.Message, StringComparison.Ordinal);
        Assert.Contains("ctx-acme", notOpened.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => context.Connection);
    }

    [Fact]
    public async Task GetConnectionAsync_NoTenant_ThrowsWithoutCallingTheFactory()
    {
        var factory = Substitute.For<ITenantConnectionFactory>();
        var context = new TenantContext(factory);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await context.GetConnectionAsync());

        Assert.Contains("SetTenant", ex.Message, StringComparison.Ordinal);
        Assert.Empty(factory.ReceivedCalls());
    }

    [Fact]
    public void SetTenant_SameTenantAgain_IsAllowed_AnotherTenant_Throws()
    {
        var context = new TenantContext(Substitute.For<ITenantConnectionFactory>());
        context.SetTenant(Acme);
        context.SetTenant(Acme);

        var ex = Assert.Throws<InvalidOperationException>(() => context.SetTenant(Globex));

        Assert.Equal(Acme, context.TenantId);
        Assert.Contains("ctx-globex", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => context.SetTenant(default));
    }

    [Fact]
    public void AddTenantContext_RegistersOneScopedContextPerScope()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Substitute.For<ITenantConnectionFactory>());
        services.AddNeonTenancyTenantContextForTests();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        using var a = provider.CreateScope();
        using var b = provider.CreateScope();

        Assert.Same(a.ServiceProvider.GetRequiredService<ITenantContext>(), a.ServiceProvider.GetRequiredService<ITenantContext>());
        Assert.NotSame(a.ServiceProvider.GetRequiredService<ITenantContext>(), b.ServiceProvider.GetRequiredService<ITenantContext>());
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ITenantContext>());
    }
}

internal static class TenantContextTestServices
{
    /// <summary>AddTenantContext through the public builder extension, on a bare service collection.</summary>
    public static IServiceCollection AddNeonTenancyTenantContextForTests(this IServiceCollection services)
    {
        new BuilderStub(services).AddTenantContext();
        return services;
    }

    private sealed class BuilderStub(IServiceCollection services) : INeonTenancyBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
