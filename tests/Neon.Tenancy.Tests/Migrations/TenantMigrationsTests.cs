using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Migrations;

/// <summary>Schema migrations over the fleet, against the fake Neon backed by real PostgreSQL: real schemas, real checkpoints and restores.</summary>
public sealed class TenantMigrationsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private static readonly TenantProvisionRequest Free = new() { Plan = "free" };

    private const string V1 = "CREATE TABLE items (v text); INSERT INTO items VALUES ('a'), ('b')";
    private const string V2 = "ALTER TABLE items ADD COLUMN n int";
    private const string V3Poisonable = "DO $$ BEGIN IF EXISTS (SELECT 1 FROM items WHERE v = 'poison') THEN RAISE EXCEPTION 'poisoned tenant'; END IF; END $$; CREATE TABLE extra (id int)";

    private (NeonFakeServer Fake, ProvisioningRig Rig) Start(ScriptMigrator migrator, Action<TenantMigrationOptions>? options = null)
    {
        var fake = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            OperationDuration = TimeSpan.FromMilliseconds(50),
            PostgresConnectionString = TestPostgres.AdminConnectionString,
        });
        var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema(), services =>
        {
            services.AddSingleton<ITenantMigrator>(migrator);
            services.AddSingleton<ITenantDatabaseInitializer, MigratorInitializer>();
            services.Configure<TenantMigrationOptions>(o => options?.Invoke(o));
        });
        return (fake, rig);
    }

    private static ITenantMigrations Migrations(ProvisioningRig rig) => rig.Services.GetRequiredService<ITenantMigrations>();

    private static async Task<List<TenantRecord>> ProvisionAsync(ProvisioningRig rig, int count, string prefix)
    {
        var tenants = new List<TenantRecord>();
        for (var i = 0; i < count; i++)
        {
            tenants.Add(await rig.Provider.ProvisionAsync(TenantId.Parse($"{prefix}-{i}-{Guid.NewGuid().ToString("N")[..6]}"), Free));
        }

        return tenants;
    }

    private static Task<long> ColumnCountAsync(ProvisioningRig rig, TenantRecord tenant, string table) =>
        TenantSql.ScalarAsync<long>(rig.Secret(tenant, ConnectionSecretKind.Direct), $"SELECT count(*) FROM information_schema.columns WHERE table_name = '{table}'");

    [Fact]
    public async Task ProvisionAsync_CreatesTheTenantAtTheCurrentVersion_ThroughTheMigrator()
    {
        var migrator = new ScriptMigrator(V1, V2);
        var (fake, rig) = Start(migrator);
        await using var _ = fake;
        await using var __ = rig;

        var tenant = Assert.Single(await ProvisionAsync(rig, 1, "new"));

        Assert.Equal(2, tenant.SchemaVersion);
        Assert.Equal(2, await ColumnCountAsync(rig, tenant, "items"));
    }

    [Fact]
    public async Task MigrateAsync_MigratesEveryTenant_CheckpointsFirst_AndANoOpDeployTouchesNoTenantAndNoNeonApi()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator);
        await using var _ = fake;
        await using var __ = rig;
        var tenants = await ProvisionAsync(rig, 5, "fleet");
        migrator.Scripts.Add(V2);

        var result = await Migrations(rig).MigrateAsync(new FleetRunOptions { RunId = "deploy-2", MaxParallelism = 3 }).WaitAsync(Wait);

        Assert.Equal(FleetRunState.Completed, result.State);
        Assert.Equal(5, result.Progress.Succeeded);
        foreach (var tenant in tenants)
        {
            Assert.Equal(2, (await rig.Catalog.GetAsync(tenant.TenantId))!.SchemaVersion);
            Assert.Equal(2, await ColumnCountAsync(rig, tenant, "items"));
            Assert.Equal(2, migrator.AppliedTo(tenant.TenantId)); // version 1 at provisioning, version 2 now: each once
            var checkpoint = Assert.Single(await rig.Catalog.GetCheckpointsAsync(tenant.TenantId));
            Assert.Equal("1->2", checkpoint.Metadata[TenantMigrations.CheckpointMetadataKey]);
        }

        var requests = fake.RequestLog.Count;
        var connections = migrator.Connections;
        var noop = await Migrations(rig).MigrateAsync(new FleetRunOptions { RunId = "deploy-2b" }).WaitAsync(Wait);

        Assert.Equal(FleetRunState.NothingToDo, noop.State);
        Assert.Equal(5, noop.Progress.Skipped);
        Assert.Equal(requests, fake.RequestLog.Count);
        Assert.Equal(connections, migrator.Connections);
    }

    [Fact]
    public async Task MigrateAsync_TenantsWhoseMigrationFails_AreRestoredToTheirSchemaAndData_AndParked_WhileTheOthersReachTheTarget()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator);
        await using var _ = fake;
        await using var __ = rig;
        var tenants = await ProvisionAsync(rig, 4, "mixed");
        var poisoned = tenants.Take(2).ToList();
        foreach (var tenant in poisoned)
        {
            await TenantSql.ExecuteAsync(rig.Secret(tenant, ConnectionSecretKind.Direct), "INSERT INTO items VALUES ('poison')");
        }

        migrator.Scripts.Add(V2); // commits on every tenant...
        migrator.Scripts.Add(V3Poisonable); // ...then this fails on the poisoned ones

        var result = await Migrations(rig).MigrateAsync(new FleetRunOptions { RunId = "deploy-3", MaxParallelism = 4, MaxAttempts = 1 }).WaitAsync(Wait);

        Assert.Equal((2, 2), (result.Progress.Succeeded, result.Progress.Parked));
        foreach (var tenant in poisoned)
        {
            var entry = Assert.Single(result.Tenants, t => t.TenantId == tenant.TenantId);
            Assert.Equal(FleetTenantState.Parked, entry.State);
            Assert.Contains("PostgreSQL P0001: poisoned tenant", entry.Error);
            var record = (await rig.Catalog.GetAsync(tenant.TenantId))!;
            Assert.Equal(1, record.SchemaVersion);
            Assert.StartsWith("migrate to 3: PostgreSQL error P0001", record.FailureReason);
            // Schema and data as before the migration: no column n (version 2 committed, then was undone), no table extra.
            Assert.Equal(1, await ColumnCountAsync(rig, record, "items"));
            Assert.Equal(0, await ColumnCountAsync(rig, record, "extra"));
            Assert.Equal("a,b,poison", await TenantSql.ScalarAsync<string>(rig.Secret(record, ConnectionSecretKind.Direct), "SELECT string_agg(v, ',' ORDER BY v) FROM items"));
        }

        foreach (var tenant in tenants.Skip(2))
        {
            Assert.Equal(3, (await rig.Catalog.GetAsync(tenant.TenantId))!.SchemaVersion);
            Assert.Equal(1, await ColumnCountAsync(rig, tenant, "extra"));
        }
    }

    [Fact]
    public async Task MigrateTenantAsync_AFailure_SaysRestored_AndNamesNoSecret()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator);
        await using var _ = fake;
        await using var __ = rig;
        var tenant = Assert.Single(await ProvisionAsync(rig, 1, "one"));
        await TenantSql.ExecuteAsync(rig.Secret(tenant, ConnectionSecretKind.Direct), "INSERT INTO items VALUES ('poison')");
        migrator.Scripts.Add(V3Poisonable);

        var failure = await Assert.ThrowsAsync<TenantMigrationException>(() => Migrations(rig).MigrateTenantAsync(tenant.TenantId));

        Assert.True(failure.Restored);
        Assert.Equal((1, 2), (failure.FromVersion, failure.TargetVersion));
        Assert.False(failure.IsTransient);
        var password = new Npgsql.NpgsqlConnectionStringBuilder(rig.Secret(tenant, ConnectionSecretKind.Direct)).Password!;
        Assert.DoesNotContain(password, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateTenantAsync_PastItsTimeout_IsCancelledAndRestored_AsATransientFailure()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator, o => o.Timeout = TimeSpan.FromSeconds(6));
        await using var _ = fake;
        await using var __ = rig;
        var tenant = Assert.Single(await ProvisionAsync(rig, 1, "slow"));
        migrator.Scripts.Add(V2);
        migrator.Scripts.Add(V3Poisonable);
        migrator.BeforeScript = (_, version, token) => version == 3 ? Task.Delay(System.Threading.Timeout.Infinite, token) : Task.CompletedTask;

        var failure = await Assert.ThrowsAsync<TenantMigrationException>(() => Migrations(rig).MigrateTenantAsync(tenant.TenantId)).WaitAsync(Wait);

        Assert.True(failure.Restored);
        Assert.True(failure.IsTransient);
        Assert.Contains("did not finish within 00:00:06", Assert.IsType<TimeoutException>(failure.InnerException).Message);
        var record = (await rig.Catalog.GetAsync(tenant.TenantId))!;
        Assert.Equal(1, record.SchemaVersion);
        Assert.Equal(1, await ColumnCountAsync(rig, record, "items")); // version 2 committed before the hang, then undone
    }

    [Fact]
    public async Task DeferredTenants_AreNotConnectedToByTheRun_AndTheirFirstOpensMigrateThemOnce()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator, o => o.Deferral = TenantMigrationDeferral.All);
        await using var _ = fake;
        await using var __ = rig;
        var tenants = await ProvisionAsync(rig, 3, "idle");
        migrator.Scripts.Add(V2);
        var connections = migrator.Connections;

        var result = await Migrations(rig).MigrateAsync().WaitAsync(Wait);

        Assert.Equal("schema-v2", result.RunId);
        Assert.Equal(3, result.Progress.Deferred);
        Assert.Equal(connections, migrator.Connections);
        Assert.All(result.Tenants, t => Assert.Equal("1 -> 2 on first connection", t.Description));

        var factory = rig.Services.GetRequiredService<ITenantConnectionFactory>();
        var target = tenants[0].TenantId;
        var opens = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            await using var connection = await factory.OpenConnectionAsync(target, i % 2 == 0 ? TenantConnectionKind.Pooled : TenantConnectionKind.Direct);
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items'", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        })).WaitAsync(Wait);

        Assert.All(opens, columns => Assert.Equal(2, columns)); // every first open saw the migrated schema
        Assert.Equal(2, migrator.AppliedTo(target)); // version 2 applied once, whatever the concurrency
        Assert.Single(await rig.Catalog.GetCheckpointsAsync(target)); // pooled and direct first opens shared one migration
        Assert.Equal(2, (await rig.Catalog.GetAsync(target))!.SchemaVersion);
        Assert.Equal(1, (await rig.Catalog.GetAsync(tenants[1].TenantId))!.SchemaVersion); // not opened: not migrated
    }

    [Fact]
    public async Task FirstConnection_ToATenantTheMigrationMayNotTouch_IsServedAtItsVersion()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator);
        await using var _ = fake;
        await using var __ = rig;
        var tenant = Assert.Single(await ProvisionAsync(rig, 1, "nodirect"));
        var stored = (await rig.Catalog.GetAsync(tenant.TenantId))!;
        await rig.Catalog.UpdateAsync(stored with { DirectConnectionSecret = ReadOnlyMemory<byte>.Empty });
        migrator.Scripts.Add(V2);

        var factory = rig.Services.GetRequiredService<ITenantConnectionFactory>();
        await using var connection = await factory.OpenConnectionAsync(tenant.TenantId).AsTask().WaitAsync(Wait);

        Assert.Equal(1, (await rig.Catalog.GetAsync(tenant.TenantId))!.SchemaVersion);
        Assert.Equal(1, migrator.AppliedTo(tenant.TenantId));
        Assert.Empty(await rig.Catalog.GetCheckpointsAsync(tenant.TenantId)); // refused before the checkpoint
        var refused = await Assert.ThrowsAsync<TenantStateException>(() => Migrations(rig).MigrateTenantAsync(tenant.TenantId));
        Assert.Contains("no direct connection secret", refused.Message);
    }

    [Fact]
    public async Task DeferIdle_LeavesSuspendedComputesAsleep_AndMigratesTheActiveOnes()
    {
        var migrator = new ScriptMigrator(V1);
        var (fake, rig) = Start(migrator, o =>
        {
            o.Deferral = TenantMigrationDeferral.Idle;
            o.MigrateOnFirstConnection = false;
        });
        await using var _ = fake;
        await using var __ = rig;
        var tenants = await ProvisionAsync(rig, 3, "mixed-idle");
        var sleeper = tenants[0];
        var suspended = await rig.Api.Endpoints.SuspendProjectEndpointAsync(sleeper.ProjectId!, sleeper.EndpointId!);
        await rig.Api.WaitForOperationsAsync(suspended.Operations);
        migrator.Scripts.Add(V2);

        var result = await Migrations(rig).MigrateAsync().WaitAsync(Wait);

        Assert.Equal((2, 1), (result.Progress.Succeeded, result.Progress.Deferred));
        Assert.Equal(FleetTenantState.Deferred, Assert.Single(result.Tenants, t => t.TenantId == sleeper.TenantId).State);
        Assert.Equal(1, migrator.AppliedTo(sleeper.TenantId));
        var endpoint = await rig.Api.Endpoints.GetProjectEndpointAsync(sleeper.ProjectId!, sleeper.EndpointId!);
        Assert.Equal(Neon.Tenancy.Api.Models.EndpointState.Idle, endpoint.Endpoint.CurrentState);
    }

    [Fact]
    public async Task MigrateAsync_WithoutAMigrator_SaysHowToRegisterOne()
    {
        await using var fake = ProvisioningRig.StartFake();
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrations(rig).MigrateAsync());

        Assert.Contains("AddTenantMigrator", failure.Message);
    }
}
