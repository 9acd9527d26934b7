using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.EndToEnd;

/// <summary>
/// The whole path a user runs: a host built with <c>AddNeonTenancy()</c> from configuration, the PostgreSQL catalog,
/// the fake Neon API backed by real PostgreSQL, provisioning, then connections through the factory.
/// </summary>
public sealed class TenantEndToEndTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TenantProvisionRequest Request = new() { Plan = "pro" };

    [Theory]
    [InlineData(null)]
    [InlineData("app")]
    public async Task TwoTenants_ProvisionedThroughTheHost_ConnectToTheirOwnDatabasesOnlyAndSurviveRotation(string? applicationRole)
    {
        await using var fake = ProvisioningRig.StartFake();
        using var host = TenancyTestHost.BuildOverFake(fake, database.ConnectionString, "e2e-", applicationRole,
            b => b.Services.AddSingleton<ITenantDatabaseInitializer>(new CreateTableInitializer("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)")));
        await host.StartAsync();
        var provider = host.Services.GetRequiredService<ITenantDatabaseProvider>();
        var factory = host.Services.GetRequiredService<ITenantConnectionFactory>();
        Assert.IsType<PostgresTenantCatalog>(host.Services.GetRequiredService<ITenantCatalog>());

        var alpha = await provider.ProvisionAsync(TenantId.Parse("alpha"), Request);
        var beta = await provider.ProvisionAsync(TenantId.Parse("beta"), Request);

        Assert.Equal(TenantState.Ready, alpha.State);
        Assert.Equal(TenantState.Ready, beta.State);
        Assert.NotEqual(alpha.ProjectId, beta.ProjectId);
        Assert.Equal(applicationRole, alpha.ApplicationRoleName);
        var alphaDatabase = await fake.GetPostgresDatabaseNameAsync(alpha.ProjectId!, alpha.DatabaseName!);
        var betaDatabase = await fake.GetPostgresDatabaseNameAsync(beta.ProjectId!, beta.DatabaseName!);
        Assert.NotNull(alphaDatabase);
        Assert.NotEqual(alphaDatabase, betaDatabase);

        foreach (var kind in new[] { TenantConnectionKind.Pooled, TenantConnectionKind.Direct })
        {
            Assert.Equal(alphaDatabase, await TenantSql.ScalarAsync<string>(factory, alpha.TenantId, kind, "SELECT current_database()"));
            Assert.Equal(betaDatabase, await TenantSql.ScalarAsync<string>(factory, beta.TenantId, kind, "SELECT current_database()"));
            var user = await TenantSql.ScalarAsync<string>(factory, alpha.TenantId, kind, "SELECT current_user");
            Assert.Equal(applicationRole is null, user.EndsWith("_neondb_owner", StringComparison.Ordinal));
        }

        await TenantSql.ScalarAsync<int>(factory, alpha.TenantId, TenantConnectionKind.Pooled, "INSERT INTO notes (body) VALUES ('alpha only') RETURNING id");
        Assert.Equal(1L, await TenantSql.ScalarAsync<long>(factory, alpha.TenantId, TenantConnectionKind.Direct, "SELECT count(*) FROM notes"));
        Assert.Equal(0L, await TenantSql.ScalarAsync<long>(factory, beta.TenantId, TenantConnectionKind.Pooled, "SELECT count(*) FROM notes"));
        Assert.Equal(0L, await TenantSql.ScalarAsync<long>(factory, beta.TenantId, TenantConnectionKind.Direct, "SELECT count(*) FROM notes WHERE body = 'alpha only'"));

        await provider.RotateCredentialsAsync(alpha.TenantId);

        Assert.Equal(1L, await TenantSql.ScalarAsync<long>(factory, alpha.TenantId, TenantConnectionKind.Pooled, "SELECT count(*) FROM notes"));
        Assert.Equal(1L, await TenantSql.ScalarAsync<long>(factory, alpha.TenantId, TenantConnectionKind.Direct, "SELECT count(*) FROM notes"));
        Assert.Equal(0L, await TenantSql.ScalarAsync<long>(factory, beta.TenantId, TenantConnectionKind.Pooled, "SELECT count(*) FROM notes"));
        await host.StopAsync();
    }
}
