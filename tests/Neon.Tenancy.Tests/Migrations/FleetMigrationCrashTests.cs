using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;
using Xunit.Abstractions;

namespace Neon.Tenancy.Tests.Migrations;

/// <summary>
/// Fleet migrations across instances sharing the PostgreSQL catalog and its ledger: an instance abandoned mid-run (its
/// host disposed while it migrates) and the run finished by another; two instances working one run.
/// </summary>
public sealed class FleetMigrationCrashTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(180);
    private static readonly TenantProvisionRequest Free = new() { Plan = "free" };

    private ProvisioningRig Instance(NeonFakeServer fake, string key, string schema, ScriptMigrator migrator) =>
        ProvisioningRig.Create(fake, key, database.ConnectionString, schema, services =>
        {
            services.AddSingleton<ITenantMigrator>(migrator);
            services.AddSingleton<ITenantDatabaseInitializer, MigratorInitializer>();
        });

    private static NeonFakeServer Fake() => NeonFakeServer.Start(new NeonFakeServerOptions
    {
        OperationDuration = TimeSpan.FromMilliseconds(50),
        PostgresConnectionString = TestPostgres.AdminConnectionString,
    });

    private static async Task<List<TenantRecord>> ProvisionAsync(ProvisioningRig rig, int count) =>
        [.. await Task.WhenAll(Enumerable.Range(0, count).Select(i => rig.Provider.ProvisionAsync(TenantId.Parse($"crash-{i}-{Guid.NewGuid().ToString("N")[..6]}"), Free)))];

    /// <summary>Every tenant's history in its database has exactly versions 1..target, and the catalog records the target.</summary>
    private static async Task AssertAtTargetOnceAsync(ProvisioningRig rig, IEnumerable<TenantRecord> tenants, int target)
    {
        foreach (var tenant in tenants)
        {
            var record = (await rig.Catalog.GetAsync(tenant.TenantId))!;
            Assert.Equal(target, record.SchemaVersion);
            var history = await TenantSql.ScalarAsync<string>(rig.Secret(record, ConnectionSecretKind.Direct), "SELECT string_agg(version::text, ',' ORDER BY version) FROM app_migrations");
            Assert.Equal(string.Join(',', Enumerable.Range(1, target)), history);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnInstanceAbandonedMidRun_AnotherFinishesTheRun_EveryTenantAtOneVersion_NoMigrationAppliedTwice(bool afterCommit)
    {
        await using var fake = Fake();
        var key = SecretsTestData.NewKey();
        var schema = PostgresDatabaseFixture.NewSchema();
        var migrator = new ScriptMigrator("CREATE TABLE items (v text)");
        var first = Instance(fake, key, schema, migrator);
        var tenants = await ProvisionAsync(first, 8);
        migrator.Scripts.Add("ALTER TABLE items ADD COLUMN n int");

        // The first instance dies at a random tenant: its host is disposed from inside the migration, before the script
        // runs or after it committed (before the catalog heard of it), and every attempt of it after that dies too.
        var crashAt = Random.Shared.Next(1, 7);
        output.WriteLine($"crash at attempt {crashAt}, {(afterCommit ? "after the commit" : "before the script")}");
        var attempts = 0;
        var dead = false;
        async Task DieAsync(TenantId tenant, int version, CancellationToken token)
        {
            if (version == 2 && (Interlocked.Increment(ref attempts) >= crashAt || Volatile.Read(ref dead)))
            {
                if (!Volatile.Read(ref dead))
                {
                    Volatile.Write(ref dead, true);
                    await first.DisposeAsync();
                }

                throw new IOException("the instance died");
            }
        }

        if (afterCommit)
        {
            migrator.AfterScript = DieAsync;
        }
        else
        {
            migrator.BeforeScript = DieAsync;
        }

        var options = new FleetRunOptions { RunId = "schema-v2", MaxParallelism = 2, LeaseDuration = TimeSpan.FromSeconds(10), RetryBackoff = TimeSpan.Zero };
        await Assert.ThrowsAnyAsync<Exception>(() => first.Services.GetRequiredService<ITenantMigrations>().MigrateAsync(options)).WaitAsync(Wait);
        migrator.BeforeScript = migrator.AfterScript = null;

        await using var second = Instance(fake, key, schema, migrator);
        // A real crash records nothing; this simulated one throws inside the dying instance, whose ledger can still record
        // that attempt's tenant as parked before its data source is disposed (a race a loaded machine wins): the operator's
        // rerun after a crash retries parked tenants.
        var result = await second.Services.GetRequiredService<ITenantMigrations>().MigrateAsync(options with { RetryParked = true }).WaitAsync(Wait);

        Assert.Equal(FleetRunState.Completed, result.State);
        Assert.Equal(8, result.Progress.Succeeded + result.Progress.Skipped);
        await AssertAtTargetOnceAsync(second, tenants, 2);
        Assert.All(tenants, t => Assert.Equal(1, migrator.Applied.Count(a => a.Tenant == t.TenantId && a.Version == 2)));
        Assert.Contains(result.Tenants, t => t.Attempts >= 2); // the dead instance's tenants were taken over
    }

    [Fact]
    public async Task TwoInstancesOnOneRun_MigrateEveryTenantOnce()
    {
        await using var fake = Fake();
        var key = SecretsTestData.NewKey();
        var schema = PostgresDatabaseFixture.NewSchema();
        var migrator = new ScriptMigrator("CREATE TABLE items (v text)");
        await using var first = Instance(fake, key, schema, migrator);
        await using var second = Instance(fake, key, schema, migrator);
        var tenants = await ProvisionAsync(first, 12);
        migrator.Scripts.Add("ALTER TABLE items ADD COLUMN n int");
        var options = new FleetRunOptions { RunId = "schema-v2", MaxParallelism = 3 };

        var results = await Task.WhenAll(
            first.Services.GetRequiredService<ITenantMigrations>().MigrateAsync(options),
            second.Services.GetRequiredService<ITenantMigrations>().MigrateAsync(options)).WaitAsync(Wait);

        Assert.All(results, r => Assert.Equal((FleetRunState.Completed, 12), (r.State, r.Progress.Succeeded)));
        await AssertAtTargetOnceAsync(first, tenants, 2);
        Assert.All(tenants, t => Assert.Equal(1, migrator.Applied.Count(a => a.Tenant == t.TenantId && a.Version == 2)));
        Assert.All(results[0].Tenants, t => Assert.Equal(1, t.Attempts));
    }
}
