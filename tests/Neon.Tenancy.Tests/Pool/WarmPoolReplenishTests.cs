using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Migrations;
using Npgsql;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// The replenishing pass against the fake Neon backed by real PostgreSQL: real projects, schemas, roles and computes.
/// Passes are driven directly (<see cref="ITenantWarmPool.ReplenishAsync"/>), never by the hosted loop's timer.
/// </summary>
public sealed class WarmPoolReplenishTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private const string V1 = "CREATE TABLE items (v text)";
    private const string V2 = "ALTER TABLE items ADD COLUMN n int";
    private const string EuCentral = "aws-eu-central-1";

    private static Task<long> ColumnCountAsync(string connectionString) =>
        TenantSql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items'");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReplenishAsync_EmptyPools_FillsEachPoolToSize_ReadyAtTheTarget_AppRoleConnects_ComputesSuspended_AndASecondPassDoesNothing(bool postgresCatalog)
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(V1, V2), o =>
        {
            o.Size = 2;
            o.Regions[EuCentral] = 1;
        }, postgresCatalog ? database.ConnectionString : null);

        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.True(result.Ran);
        Assert.Equal((6, 0, 0, 0), (result.Created, result.Migrated, result.Recycled, result.Failed));
        Assert.Equal(
            [new(null, "free", 2, 2, 0), new(null, "pro", 2, 2, 0), new(EuCentral, "free", 1, 1, 0), new(EuCentral, "pro", 1, 1, 0)],
            result.Pools);
        var entries = await pool.Store.ListAsync();
        Assert.Equal(6, entries.Count);
        var projects = (await pool.Fake.GetProjectsAsync()).ToDictionary(p => p.Id);
        foreach (var entry in entries)
        {
            Assert.Equal(WarmPoolEntryState.Ready, entry.State);
            Assert.Equal(2, entry.SchemaVersion);
            Assert.Equal(WarmPoolRig.Prefix + "pool--" + entry.Id, entry.ProjectName);
            var project = projects[entry.ProjectId!];
            Assert.Equal(entry.ProjectName, project.Name);
            Assert.Equal(entry.Region == EuCentral ? EuCentral : "aws-us-east-2", project.RegionId);
            Assert.Equal<double?>(entry.PlanClass == "pro" ? 1 : 0.25, project.DefaultEndpointSettings?.AutoscalingLimitMaxCu);
            var endpoint = (await pool.Rig.Api.Endpoints.GetProjectEndpointAsync(entry.ProjectId!, entry.EndpointId!)).Endpoint;
            Assert.Equal(EndpointState.Idle, endpoint.CurrentState); // suspended: the pool costs storage only
        }

        // The application role works on the schema the migrator made (which wakes the compute, as a claim's first use would).
        var sample = entries[0];
        Assert.Equal(2, await ColumnCountAsync(pool.Secret(sample, ConnectionSecretKind.Direct)));
        var app = pool.Secret(sample, ConnectionSecretKind.ApplicationDirect);
        Assert.EndsWith(WarmPoolRig.ApplicationRole, new NpgsqlConnectionStringBuilder(app).Username, StringComparison.Ordinal);
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(pool.Secret(sample, ConnectionSecretKind.Direct)).Username, new NpgsqlConnectionStringBuilder(app).Username);
        await TenantSql.ExecuteAsync(app, "INSERT INTO items (v, n) VALUES ('a', 1)");
        Assert.Equal(1L, await TenantSql.ScalarAsync<long>(app, "SELECT count(*) FROM items"));

        var requests = pool.Fake.RequestLog.Count;
        var second = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.True(second.Ran);
        Assert.Equal((0, 0, 0, 0), (second.Created, second.Migrated, second.Recycled, second.Failed));
        Assert.Equal(result.Pools, second.Pools);
        Assert.Equal(requests, pool.Fake.RequestLog.Count); // not one Neon API call
        Assert.Equal(entries, await pool.Store.ListAsync());
    }

    [Fact]
    public async Task ReplenishAsync_AfterClaims_RefillsThePool_AndLeavesClaimedProjectsToTheirTenants()
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(V1), o => { o.Size = 2; o.Plans.Add("free"); });
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var (taken, claimed) = (await pool.Store.ListAsync()) switch { var e => (e[0], e[1]) };
        await pool.Store.RemoveAsync(taken.Id); // a claim that finished
        var tenant = await ClaimAsync(pool, "claimer", claimed);

        var refill = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((2, 0), (refill.Created, refill.Recycled));
        Assert.Equal([new(null, "free", 2, 2, 0)], refill.Pools);
        var live = await pool.LiveProjectIdsAsync();
        Assert.Contains(taken.ProjectId!, live);
        Assert.Contains(claimed.ProjectId!, live);
        Assert.Equal(WarmPoolEntryState.Claimed, Assert.Single(await pool.Store.ListAsync(), e => e.Id == claimed.Id).State); // still provisioning: kept

        await pool.Catalog.UpdateAsync((await pool.Catalog.GetAsync(tenant))! with { State = TenantState.Ready });
        var settled = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((0, 0), (settled.Created, settled.Recycled));
        Assert.DoesNotContain(await pool.Store.ListAsync(), e => e.Id == claimed.Id);
        Assert.Contains(claimed.ProjectId!, await pool.LiveProjectIdsAsync()); // the tenant's now: never deleted
    }

    [Fact]
    public async Task ReplenishAsync_ClaimedEntries_RemovedWhenTheTenantIsDoneGoneDeletedOrElsewhere_KeptWhileItProvisionsOrFailed()
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(), o => { o.Size = 6; o.Plans.Add("free"); });
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var entries = await pool.Store.ListAsync();
        var outcome = new Dictionary<string, bool>(StringComparer.Ordinal); // entry id -> kept
        var cases = new (string Name, Func<TenantRecord, TenantRecord?> Then, bool Kept)[]
        {
            ("ready", r => r with { State = TenantState.Ready }, false),
            ("suspended", r => r with { State = TenantState.Suspended }, false),
            ("gone", _ => null, false),
            ("deleted", r => r with { State = TenantState.Deleted }, false),
            ("elsewhere", r => r with { ProjectId = "another-project" }, false),
            ("failed", r => r with { State = TenantState.Failed }, true),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var tenant = await ClaimAsync(pool, "c-" + cases[i].Name, entries[i]);
            var record = (await pool.Catalog.GetAsync(tenant))!;
            if (cases[i].Then(record) is { } changed)
            {
                await pool.Catalog.UpdateAsync(changed);
            }
            else
            {
                await pool.Catalog.RemoveAsync(tenant);
            }

            outcome[entries[i].Id] = cases[i].Kept;
        }

        var requestsBefore = pool.Fake.RequestLog.Count(r => r.Method == "DELETE");
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        var left = (await pool.Store.ListAsync()).Where(e => e.State == WarmPoolEntryState.Claimed).Select(e => e.Id).ToHashSet();
        Assert.Equal(outcome.Where(o => o.Value).Select(o => o.Key).ToHashSet(), left);
        Assert.Equal(requestsBefore, pool.Fake.RequestLog.Count(r => r.Method == "DELETE")); // no claimed project is ever deleted
    }

    [Fact]
    public async Task ReplenishAsync_NewMigratorTarget_MigratesReadyEntries_PendingBeforeReadyAfter()
    {
        var migrator = new ScriptMigrator(V1);
        await using var pool = WarmPoolRig.Create(migrator, o => { o.Size = 2; o.Plans.Add("free"); });
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        migrator.Scripts.Add(V2); // a deploy with one more migration

        Assert.Equal([new(null, "free", 2, 0, 2)], await pool.Pool.GetStatusAsync());
        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((0, 2, 0, 0), (result.Created, result.Migrated, result.Recycled, result.Failed));
        Assert.Equal([new(null, "free", 2, 2, 0)], result.Pools);
        Assert.Equal([new(null, "free", 2, 2, 0)], await pool.Pool.GetStatusAsync());
        foreach (var entry in await pool.Store.ListAsync())
        {
            Assert.Equal((WarmPoolEntryState.Ready, 2), (entry.State, entry.SchemaVersion));
            Assert.Equal(2, await ColumnCountAsync(pool.Secret(entry, ConnectionSecretKind.Direct))); // the schema really changed
            Assert.Equal(2, migrator.AppliedTo(entry.Identity)); // v1 at creation, v2 now: each once
        }
    }

    [Fact]
    public async Task ReplenishAsync_MigrationFailsOnOneEntry_RecyclesIt_CountsAFailure_AndRefills()
    {
        var migrator = new ScriptMigrator(V1);
        await using var pool = WarmPoolRig.Create(migrator, o => { o.Size = 2; o.Plans.Add("free"); });
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var poisoned = (await pool.Store.ListAsync())[0];
        migrator.Scripts.Add(V2);
        migrator.BeforeScript = (identity, version, _) =>
            identity == poisoned.Identity && version == 2 ? throw new InvalidOperationException("poisoned pool project") : Task.CompletedTask;
        var factory = pool.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var failures = new MetricCollector<long>(factory, "Neon.Tenancy", "neon.tenancy.pool.replenish.failures");

        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((1, 1, 1, 1), (result.Created, result.Migrated, result.Recycled, result.Failed)); // recycled, and replaced in the same pass
        Assert.Equal([new(null, "free", 2, 2, 0)], result.Pools);
        Assert.DoesNotContain(poisoned.ProjectId!, await pool.LiveProjectIdsAsync());
        Assert.DoesNotContain(await pool.Store.ListAsync(), e => e.Id == poisoned.Id);
        var failure = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal("migrate", failure.Tags["neon.tenancy.pool.step"]);
        var log = Assert.Single(pool.Rig.Logs.GetSnapshot(), r => r.Id.Id == NeonTenancyEventId.WarmPoolStepFailed);
        Assert.Contains(poisoned.Id, log.Message, StringComparison.Ordinal);
        Assert.Contains("migrate: InvalidOperationException", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(pool.Secret(poisoned, ConnectionSecretKind.Direct)).Password!, log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplenishAsync_InitializationFailsOnCreate_RecyclesThatProject_AndTheOthersBecomeReady()
    {
        var migrator = new ScriptMigrator(V1);
        var failOnce = 1;
        migrator.BeforeScript = (_, _, _) => Interlocked.Exchange(ref failOnce, 0) == 1 ? throw new InvalidOperationException("initializer failed") : Task.CompletedTask;
        await using var pool = WarmPoolRig.Create(migrator, o => { o.Size = 3; o.Plans.Add("free"); });

        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((2, 1, 1), (result.Created, result.Failed, result.Recycled));
        Assert.Equal([new(null, "free", 3, 2, 0)], result.Pools);
        var entries = await pool.Store.ListAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal(entries.Select(e => e.ProjectId!).ToHashSet(), await pool.LiveProjectIdsAsync()); // the failed one's project deleted
        Assert.Equal(3, (await pool.Pool.ReplenishAsync().WaitAsync(Wait)).Pools[0].Ready); // the next pass makes up for it
    }

    private static async Task<TenantId> ClaimAsync(WarmPoolRig pool, string name, WarmPoolEntry entry)
    {
        var tenantId = TenantId.Parse(name);
        var record = (await pool.Catalog.ReserveAsync(new TenantReservation { TenantId = tenantId, Plan = "free" })).Record;
        var claim = await pool.Store.ClaimAsync(new WarmPoolClaimRequest(tenantId, entry.Region, entry.PlanClass, 0, entry.DatabaseName, entry.RoleName,
            entry.ApplicationRoleName, e => record with { ProjectId = e.ProjectId }));
        Assert.Equal(entry.Id, claim?.Entry.Id);
        return tenantId;
    }
}
