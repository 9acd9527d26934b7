using Neon.Tenancy.Api;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Migrations;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// What the pass recycles (deletes, in the fake) and what it leaves: age, size, configuration, crashes, and the lease
/// that keeps a second replenisher out. Clocks are <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>s
/// moved by the test; passes are driven directly.
/// </summary>
public sealed class WarmPoolRecycleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ReplenishAsync_EntriesPastMaxAge_AreRecycledAndReplaced_YoungerOnesStay()
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(), o => { o.Size = 2; o.Plans.Add("free"); o.MaxAge = TimeSpan.FromDays(7); }, fakeTime: true);
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var old = await pool.Store.ListAsync();
        pool.Time!.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));

        var young = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((0, 0), (young.Created, young.Recycled));
        pool.Time.Advance(TimeSpan.FromMinutes(1));
        var aged = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((2, 2, 0), (aged.Created, aged.Recycled, aged.Failed));
        var live = await pool.LiveProjectIdsAsync();
        Assert.All(old, e => Assert.DoesNotContain(e.ProjectId!, live));
        var fresh = await pool.Store.ListAsync();
        Assert.Equal(2, fresh.Count);
        Assert.All(fresh, e => Assert.Contains(e.ProjectId!, live));
        Assert.Empty(fresh.Select(e => e.Id).Intersect(old.Select(e => e.Id)));
    }

    [Fact]
    public async Task ReplenishAsync_SizeReduced_RecyclesTheOldestExtras_AndAPoolNoLongerConfigured_Entirely()
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(), o => { o.Size = 3; o.Regions["aws-eu-central-1"] = 1; o.Plans.Add("free"); }, fakeTime: true);
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var before = await pool.Store.ListAsync();
        var defaults = before.Where(e => e.Region.Length == 0).ToList(); // oldest first
        var europe = Assert.Single(before, e => e.Region == "aws-eu-central-1");

        var redeployed = pool.PoolWith(o => { o.Size = 1; o.Regions.Clear(); });
        var result = await redeployed.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((0, 3), (result.Created, result.Recycled));
        Assert.Equal([new(null, "free", 1, 1, 0)], result.Pools); // the region's pool is gone from the status once empty
        var left = Assert.Single(await pool.Store.ListAsync());
        Assert.Equal(defaults[^1].Id, left.Id); // the newest stays
        var live = await pool.LiveProjectIdsAsync();
        Assert.DoesNotContain(europe.ProjectId!, live);
        Assert.All(defaults.Take(2), e => Assert.DoesNotContain(e.ProjectId!, live));
    }

    [Fact]
    public async Task GetStatusAsync_PoolNoLongerConfiguredWithEntries_ListedWithTargetZero()
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(), o => { o.Size = 1; o.Regions["aws-eu-central-1"] = 1; o.Plans.Add("free"); });
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        var status = await pool.PoolWith(o => o.Regions.Clear()).GetStatusAsync();

        Assert.Equal([new(null, "free", 1, 1, 0), new("aws-eu-central-1", "free", 0, 1, 0)], status);
    }

    [Fact]
    public async Task ReplenishAsync_StaleCreatingEntryWhoseCreateAnswerWasLost_FindsItsProjectByNameAndDeletesIt_AFreshOneIsLeftAlone()
    {
        await using var pool = WarmPoolRig.Create(new ScriptMigrator(), o => { o.Size = 2; o.Plans.Add("free"); }, fakeTime: true);
        var stale = await pool.Store.AddAsync(Creating("stalecreate"));
        // The create went out and Neon made the project; the answer never came back, so the entry has no project id.
        var lost = await pool.Rig.Api.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = new ProjectCreateRequestProject { Name = stale.ProjectName, OrgId = pool.Fake.OrgId } });
        var unrelated = await pool.Rig.Api.Projects.CreateProjectAsync(new ProjectCreateRequest { Project = new ProjectCreateRequestProject { Name = stale.ProjectName + "x", OrgId = pool.Fake.OrgId } });
        pool.Time!.Advance(pool.Pool.StaleAfter);
        var fresh = await pool.Store.AddAsync(Creating("freshcreate")); // another instance is creating it right now

        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((1, 1, 0), (result.Created, result.Recycled, result.Failed)); // the fresh one counts as on its way
        var live = await pool.LiveProjectIdsAsync();
        Assert.DoesNotContain(lost.Project.Id, live);
        Assert.Contains(unrelated.Project.Id, live); // a name that merely contains it is not the entry's
        var entries = await pool.Store.ListAsync();
        Assert.DoesNotContain(entries, e => e.Id == stale.Id);
        Assert.Equal(WarmPoolEntryState.Creating, Assert.Single(entries, e => e.Id == fresh.Id).State);
        Assert.Equal([new(null, "free", 2, 1, 1)], result.Pools);

        WarmPoolEntry Creating(string id) => new()
        {
            Id = id,
            Region = "",
            PlanClass = "free",
            State = WarmPoolEntryState.Creating,
            ProjectName = WarmPoolEntry.ProjectNameFor(WarmPoolRig.Prefix, id),
            DatabaseName = "neondb",
            RoleName = "neondb_owner",
            ApplicationRoleName = WarmPoolRig.ApplicationRole,
        };
    }

    [Fact]
    public async Task ReplenishAsync_StaleMigratingEntry_IsMigratedAgain()
    {
        var migrator = new ScriptMigrator("CREATE TABLE items (v text)");
        await using var pool = WarmPoolRig.Create(migrator, o => { o.Size = 1; o.Plans.Add("free"); }, fakeTime: true);
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var entry = Assert.Single(await pool.Store.ListAsync());
        migrator.Scripts.Add("ALTER TABLE items ADD COLUMN n int");
        await pool.Store.UpdateAsync(entry with { State = WarmPoolEntryState.Migrating }); // a crash mid-migration
        pool.Time!.Advance(pool.Pool.StaleAfter);

        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        Assert.Equal((0, 1, 0), (result.Created, result.Migrated, result.Recycled));
        Assert.Equal((WarmPoolEntryState.Ready, 2), Assert.Single(await pool.Store.ListAsync()) switch { var e => (e.State, e.SchemaVersion) });
    }

    [Fact]
    public async Task ReplenishAsync_TwoReplenishersOnOneCatalog_OnlyOneRuns()
    {
        var migrator = new ScriptMigrator("CREATE TABLE items (v text)");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        migrator.BeforeScript = async (_, _, token) =>
        {
            entered.TrySetResult();
            await release.Task.WaitAsync(token);
        };
        await using var pool = WarmPoolRig.Create(migrator, o => { o.Size = 2; o.Plans.Add("free"); });
        var other = pool.PoolWith(); // a second replenisher (another instance's, in one process: the in-process lease)

        var first = pool.Pool.ReplenishAsync();
        await entered.Task.WaitAsync(Wait); // the first pass is inside, creating
        var second = await other.ReplenishAsync().WaitAsync(Wait);
        release.SetResult();
        var done = await first.WaitAsync(Wait);

        Assert.False(second.Ran);
        Assert.Equal((0, 0), (second.Created, second.Recycled));
        Assert.True(done.Ran);
        Assert.Equal(2, done.Created);
        Assert.Equal(2, (await pool.Store.ListAsync()).Count);
        Assert.Contains(pool.Rig.Logs.GetSnapshot(), r => r.Id.Id == NeonTenancyEventId.WarmPoolLeaseHeldElsewhere);
    }
}
