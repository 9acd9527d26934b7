using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Migrations;
using Neon.Tenancy.Tests.Provisioning;
using Npgsql;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// The claim path of <see cref="ITenantDatabaseProvider.ProvisionAsync"/> against the fake Neon with real PostgreSQL
/// behind it and a PostgreSQL catalog: a sign-up takes a ready pool project (migrated, application role, suspended),
/// gets its plan and name, new credentials, and is ready; a crash at any step converges on the next call.
/// </summary>
public sealed class WarmPoolClaimTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private const string CreateRoute = "POST projects";
    private static readonly TenantProvisionRequest Pro = new() { Plan = "pro" };

    private NeonFakeServer _fake = null!;

    public Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(20));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task ProvisionAsync_PoolHasAProject_ClaimsItUnderTheTenantsNamePlanAndNewCredentials()
    {
        await using var rig = CreateRig(size: 2);
        await ReplenishAsync(rig);
        var entries = await Store(rig).ListAsync();
        var before = entries.ToDictionary(e => e.ProjectId!, e => (
            Owner: rig.Protector.Unprotect(e.Identity, ConnectionSecretKind.Direct, e.DirectConnectionSecret.Span),
            App: rig.Protector.Unprotect(e.Identity, ConnectionSecretKind.ApplicationDirect, e.ApplicationDirectConnectionSecret.Span)));
        var creates = Creates();

        var tenant = await rig.Provider.ProvisionAsync(TenantId.Parse("acme"), Pro);

        Assert.Equal(TenantState.Ready, tenant.State);
        Assert.Contains(tenant.ProjectId!, before.Keys);
        Assert.Equal(creates, Creates()); // no project created for the sign-up
        Assert.Equal(1, tenant.SchemaVersion);
        var project = (await _fake.GetProjectsAsync()).Single(p => p.Id == tenant.ProjectId);
        Assert.Equal(tenant.ProjectName, project.Name);
        Assert.Equal((long)(2 * 3600), project.Settings!.Quota!.ComputeTimeSeconds); // pro's ComputeHours = 2

        // The tenant's credentials work (owner: the migrated table; application role: through its grants)...
        Assert.Equal(0L, await TenantSql.ScalarAsync<long>(Secret(rig, tenant, ConnectionSecretKind.Direct), "SELECT count(*) FROM todo"));
        Assert.Equal(0L, await TenantSql.ScalarAsync<long>(Secret(rig, tenant, ConnectionSecretKind.ApplicationDirect), "SELECT count(*) FROM todo"));
        // ...and nothing issued before the claim does.
        var (owner, app) = before[tenant.ProjectId!];
        await AssertRefusedAsync(owner);
        await AssertRefusedAsync(app);

        Assert.Null(await Store(rig).GetClaimAsync(tenant.TenantId));
        Assert.DoesNotContain(await Store(rig).ListAsync(), e => e.ProjectId == tenant.ProjectId);
        Assert.Contains(rig.Logs.GetSnapshot(), r => r.Id.Id == NeonTenancyEventId.WarmPoolClaimed && r.Message.Contains("acme", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Logs.GetSnapshot(), r => r.Message.Contains(owner, StringComparison.Ordinal) || r.Message.Contains(app, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProvisionAsync_PoolEmptyOrRequestDoesNotFit_ProvisionsCold()
    {
        await using var rig = CreateRig(size: 1);
        await ReplenishAsync(rig);
        var creates = Creates();

        var own = await rig.Provider.ProvisionAsync(TenantId.Parse("own-settings"), Pro with { Settings = new TenantPlanSettings { ComputeTimeSecondsQuota = 60 } });
        var elsewhere = await rig.Provider.ProvisionAsync(TenantId.Parse("elsewhere"), Pro with { Region = "aws-eu-central-1" });
        Assert.Equal(creates + 2, Creates());
        Assert.Single(await Store(rig).ListAsync()); // untouched

        var first = await rig.Provider.ProvisionAsync(TenantId.Parse("first"), Pro);
        var second = await rig.Provider.ProvisionAsync(TenantId.Parse("second"), Pro);

        Assert.Equal(creates + 3, Creates()); // first claimed, second cold
        Assert.All(new[] { own, elsewhere, first, second }, t => Assert.Equal(TenantState.Ready, t.State));
        Assert.Equal(1, second.SchemaVersion);
        Assert.Equal(4, new[] { own, elsewhere, first, second }.Select(t => t.ProjectId).Distinct().Count());
    }

    [Fact]
    public async Task ProvisionAsync_PoolAtAnOlderSchema_IsNotClaimedUntilTheReplenisherMigratesIt()
    {
        var key = SecretsTestData.NewKey();
        var schema = PostgresDatabaseFixture.NewSchema();
        var v1 = new ScriptMigrator("CREATE TABLE todo (id int)");
        var v2 = new ScriptMigrator("CREATE TABLE todo (id int)", "ALTER TABLE todo ADD COLUMN done boolean NOT NULL DEFAULT false");
        await using (var before = CreateRig(size: 1, migrator: v1, key: key, schema: schema))
        {
            await ReplenishAsync(before);
        }

        await using var after = CreateRig(size: 1, migrator: v2, key: key, schema: schema); // the deploy
        var pooled = Assert.Single(await Store(after).ListAsync());
        Assert.Equal(1, pooled.SchemaVersion);

        var early = await after.Provider.ProvisionAsync(TenantId.Parse("early"), Pro);
        Assert.NotEqual(pooled.ProjectId, early.ProjectId); // cold: the pool project is behind
        Assert.Equal(2, early.SchemaVersion);

        var pass = await after.Services.GetRequiredService<ITenantWarmPool>().ReplenishAsync();
        Assert.Equal(1, pass.Migrated);
        var late = await after.Provider.ProvisionAsync(TenantId.Parse("late"), Pro);

        Assert.Equal(pooled.ProjectId, late.ProjectId);
        Assert.Equal(2, late.SchemaVersion);
        Assert.False(await TenantSql.ScalarAsync<bool>(Secret(after, late, ConnectionSecretKind.Direct), "SELECT coalesce(bool_or(done), false) FROM todo"));
    }

    [Theory]
    [InlineData(nameof(ProvisioningCheckpoint.AfterClaim))]
    [InlineData(nameof(ProvisioningCheckpoint.AfterClaimRotation))]
    [InlineData(nameof(ProvisioningCheckpoint.AfterClaimPlan))]
    [InlineData(nameof(ProvisioningCheckpoint.AfterClaimReady))]
    public async Task ProvisionAsync_CrashAtAClaimStep_ConvergesOnTheTenantNeverBackInThePool(string at)
    {
        var crashAt = Enum.Parse<ProvisioningCheckpoint>(at);
        await using var rig = CreateRig(size: 2);
        await ReplenishAsync(rig);
        var secrets = (await Store(rig).ListAsync()).ToDictionary(
            e => e.ProjectId!, e => rig.Protector.Unprotect(e.Identity, ConnectionSecretKind.Direct, e.DirectConnectionSecret.Span));
        var id = TenantId.Parse("crashy");
        rig.Provider.Checkpoint = (checkpoint, _) => checkpoint == crashAt ? throw new InvalidOperationException("crash at " + checkpoint) : ValueTask.CompletedTask;

        await Assert.ThrowsAnyAsync<Exception>(() => rig.Provider.ProvisionAsync(id, Pro));
        rig.Provider.Checkpoint = null;
        var crashed = (await rig.Catalog.GetAsync(id))!;
        var claimedProject = crashed.ProjectId!;
        Assert.Contains(claimedProject, secrets.Keys); // the tenant's from the claim's transaction on

        // Another sign-up meanwhile never gets the claimed project.
        var other = await rig.Provider.ProvisionAsync(TenantId.Parse("other"), Pro);
        Assert.NotEqual(claimedProject, other.ProjectId);

        var tenant = await rig.Provider.ProvisionAsync(id, Pro);
        await ReplenishAsync(rig); // what a crash after "ready" leaves (a claimed entry) the replenisher removes

        Assert.Equal(TenantState.Ready, tenant.State);
        Assert.Equal(claimedProject, tenant.ProjectId);
        var project = (await _fake.GetProjectsAsync()).Single(p => p.Id == claimedProject); // not deleted
        Assert.Equal(tenant.ProjectName, project.Name);
        Assert.Equal(1L, await TenantSql.ScalarAsync<long>(Secret(rig, tenant, ConnectionSecretKind.Direct), "SELECT 1::bigint"));
        await AssertRefusedAsync(secrets[claimedProject]);
        Assert.DoesNotContain(await Store(rig).ListAsync(), e => e.ProjectId == claimedProject);
    }

    [Fact]
    public async Task SweepOrphansAsync_LeavesPoolProjectsAlone_ButReportsOnesThePoolLostTrackOf()
    {
        await using var rig = CreateRig(size: 2);
        await ReplenishAsync(rig);
        var entries = await Store(rig).ListAsync();

        Assert.Empty(await rig.Provider.SweepOrphansAsync());

        await Store(rig).RemoveAsync(entries[0].Id);
        var orphan = Assert.Single(await rig.Provider.SweepOrphansAsync());
        Assert.Equal(entries[0].ProjectId, orphan.ProjectId);
    }

    [Fact]
    public async Task ProvisionAsync_FiftyConcurrentSignUpsOnTwoInstances_PoolOfTwenty_TwentyClaimsThirtyColdAllReady()
    {
        var migrator = Migrator();
        await using var instances = TwoInstances.Create(_fake, database.ConnectionString, build: b => Configure(b, 20, migrator));
        var (first, second) = instances;
        await ReplenishAsync(first);
        var pooled = (await Store(first).ListAsync()).Select(e => e.ProjectId!).ToHashSet();
        Assert.Equal(20, pooled.Count);
        var creates = Creates();

        var tenants = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => (i % 2 == 0 ? first : second).Provider.ProvisionAsync(TenantId.Parse($"signup-{i:00}"), Pro))));

        Assert.All(tenants, t => Assert.Equal(TenantState.Ready, t.State));
        Assert.Equal(50, tenants.Select(t => t.ProjectId).Distinct().Count()); // no project twice
        Assert.Equal(20, tenants.Count(t => pooled.Contains(t.ProjectId!)));
        Assert.Equal(creates + 30, Creates());
        Assert.Empty(await Store(first).ListAsync());
        foreach (var tenant in tenants)
        {
            Assert.Equal(1, tenant.SchemaVersion);
            Assert.Equal(0L, await TenantSql.ScalarAsync<long>(Secret(first, tenant, ConnectionSecretKind.Direct), "SELECT count(*) FROM todo"));
        }
    }

    private ProvisioningRig CreateRig(int size, ScriptMigrator? migrator = null, string? key = null, string? schema = null) =>
        ProvisioningRig.Create(_fake, key ?? SecretsTestData.NewKey(), database.ConnectionString, schema, build: b => Configure(b, size, migrator ?? Migrator()));

    private static ScriptMigrator Migrator() => new("CREATE TABLE todo (id int)");

    private static void Configure(INeonTenancyBuilder builder, int size, ScriptMigrator migrator) => builder
        .AddTenantMigrator(_ => migrator)
        .ConfigureMigrations(o => o.Checkpoint = false)
        .ConfigureProvisioning(o => o.ApplicationRoleName = "app")
        .ConfigurePlans(o =>
        {
            o.DefaultPlan = "free";
            o.Plans["free"] = new TenantPlan { ComputeHours = 1 };
            o.Plans["pro"] = new TenantPlan { ComputeHours = 2 };
        })
        .ConfigureWarmPool(o => o.Size = size);

    private static async Task ReplenishAsync(ProvisioningRig rig)
    {
        var pass = await rig.Services.GetRequiredService<ITenantWarmPool>().ReplenishAsync();
        Assert.True(pass.Ran);
        Assert.Equal(0, pass.Failed);
    }

    private static IWarmPoolStore Store(ProvisioningRig rig) => rig.Services.GetRequiredService<IWarmPoolStore>();

    private int Creates() => _fake.RequestLog.Count(r => r.Route == CreateRoute);

    private static string Secret(ProvisioningRig rig, TenantRecord record, ConnectionSecretKind kind) =>
        rig.Protector.Unprotect(record.TenantId, kind, (kind switch
        {
            ConnectionSecretKind.Direct => record.DirectConnectionSecret,
            ConnectionSecretKind.ApplicationDirect => record.ApplicationDirectConnectionSecret,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        }).Span);

    private static async Task AssertRefusedAsync(string connectionString)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
        });
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }
}
