using System.Data;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.EntityFrameworkCore.Tests.Infrastructure;
using Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts;
using Neon.Tenancy.Testing;
using Npgsql;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.DependencyInjection;

/// <summary>
/// The whole registration over the fake Neon API, each fake project a real PostgreSQL database: tenants provisioned
/// through the registered EF Core migrator, then each scope's DbContext on its tenant's connection.
/// </summary>
public sealed class TenantDbContextTests : IAsyncLifetime
{
    private static readonly TenantId Acme = TenantId.Parse("ef-ctx-acme");
    private static readonly TenantId Globex = TenantId.Parse("ef-ctx-globex");
    private NeonFakeServer _fake = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _fake = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            OperationDuration = TimeSpan.Zero,
            PostgresConnectionString = TestPostgres.AdminConnectionString,
        });
        var services = new ServiceCollection();
        services.AddLogging();
        services
            .AddNeonTenancy(options =>
            {
                options.Secrets.CurrentKeyId = "k1";
                options.Secrets.Keys["k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            })
            .ConfigureApi(options =>
            {
                _fake.ConfigureApi(options);
                options.OperationPollInterval = TimeSpan.FromMilliseconds(20);
            })
            .UseInMemoryCatalog()
            .AddEntityFrameworkCoreMigrations<NotesDb>()
            .AddTenantDbContext<NotesDb>();
        services.AddSingleton<ITenantDatabaseInitializer, MigrateOnProvisioning>();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var provider = _services.GetRequiredService<ITenantDatabaseProvider>();
        foreach (var tenant in new[] { Acme, Globex })
        {
            await provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" });
        }
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public void AddEntityFrameworkCoreMigrations_RegistersTheContextsMigrator()
    {
        var migrator = _services.GetRequiredService<ITenantMigrator>();

        Assert.IsType<EfCoreTenantMigrator<NotesDb>>(migrator);
        Assert.Equal(3, migrator.TargetVersion);
        Assert.Same(migrator, _services.GetRequiredService<ITenantMigrator>());
    }

    [Fact]
    public async Task AddTenantDbContext_AfterGetConnectionAsync_TheContextUsesTheScopesConnection_AndLeavesItToTheScope()
    {
        NpgsqlConnection connection;
        await using (var scope = _services.CreateAsyncScope())
        {
            var tenant = scope.ServiceProvider.GetRequiredService<ITenantContext>();
            tenant.SetTenant(Acme);
            connection = await tenant.GetConnectionAsync();

            var db = scope.ServiceProvider.GetRequiredService<NotesDb>();

            Assert.Same(connection, db.Database.GetDbConnection());
            Assert.Equal(3, (await db.Database.GetAppliedMigrationsAsync()).Count());
            Assert.Equal(ConnectionState.Open, connection.State);
            Assert.Same(db, scope.ServiceProvider.GetRequiredService<NotesDb>());
        }

        Assert.Equal(ConnectionState.Closed, connection.State);
    }

    [Fact]
    public async Task AddTenantDbContext_TwoTenants_EachScopesContextReadsAndWritesItsOwnDatabase()
    {
        await using (var scope = await ScopeAsync(Acme))
        {
            var db = scope.ServiceProvider.GetRequiredService<NotesDb>();
            db.Notes.Add(new Note { Body = "acme's note", Tag = "a" });
            await db.SaveChangesAsync();
        }

        var databases = new Dictionary<TenantId, string>();
        var notes = new Dictionary<TenantId, List<string>>();
        foreach (var tenant in new[] { Acme, Globex })
        {
            await using var scope = await ScopeAsync(tenant);
            var db = scope.ServiceProvider.GetRequiredService<NotesDb>();
            databases[tenant] = await db.Database.SqlQueryRaw<string>("SELECT current_database() AS \"Value\"").SingleAsync();
            notes[tenant] = await db.Notes.Select(n => n.Body).ToListAsync();
        }

        Assert.NotEqual(databases[Acme], databases[Globex]);
        Assert.Equal(["acme's note"], notes[Acme]);
        Assert.Empty(notes[Globex]);
    }

    [Fact]
    public async Task AddTenantDbContext_ResolvedBeforeTheConnectionIsOpen_ThrowsSayingWhatToCall()
    {
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(Acme);

        var ex = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<NotesDb>());

        Assert.Contains("GetConnectionAsync", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A scope whose tenant is set and whose connection is open, as the host's middleware leaves it.</summary>
    private async Task<AsyncServiceScope> ScopeAsync(TenantId tenantId)
    {
        var scope = _services.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        tenant.SetTenant(tenantId);
        await tenant.GetConnectionAsync();
        return scope;
    }

    /// <summary>Provisions new tenants at the migrator's target, through it (on the new database's direct connection string).</summary>
    private sealed class MigrateOnProvisioning(ITenantMigrator migrator) : ITenantDatabaseInitializer
    {
        public Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken) =>
            migrator.MigrateAsync(new TenantMigrationContext(context.TenantId, 0, migrator.TargetVersion, context.DirectConnectionString), cancellationToken);
    }
}
