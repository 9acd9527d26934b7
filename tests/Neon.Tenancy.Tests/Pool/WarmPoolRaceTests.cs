using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Neon.Tenancy.Tests.Migrations;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// A claim that takes a ready entry between the pass's read and its write wins: the pass leaves the entry and its
/// project (now the tenant's) alone. The claim is made deterministic by a store that runs it just before the pass's
/// version-checked write of that entry.
/// </summary>
public sealed class WarmPoolRaceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReplenishAsync_AClaimComesFirst_ThePassLeavesThatEntryAndItsProjectAlone(bool recycling)
    {
        var passWrites = recycling ? WarmPoolEntryState.Recycling : WarmPoolEntryState.Migrating;
        var migrator = new ScriptMigrator("CREATE TABLE items (v text)");
        ClaimFirstStore? store = null;
        await using var pool = WarmPoolRig.Create(migrator, o => { o.Size = 2; o.Plans.Add("free"); }, fakeTime: true, configure: services =>
        {
            services.RemoveAll<IWarmPoolStore>();
            services.AddSingleton<IWarmPoolStore>(sp => store = new ClaimFirstStore(WarmPoolStores.For(sp), sp.GetRequiredService<ITenantCatalog>()));
        });
        await pool.Pool.ReplenishAsync().WaitAsync(Wait);
        var entries = await pool.Store.ListAsync();
        if (passWrites == WarmPoolEntryState.Recycling)
        {
            pool.Time!.Advance(TimeSpan.FromDays(8)); // both past MaxAge
        }
        else
        {
            migrator.Scripts.Add("ALTER TABLE items ADD COLUMN n int"); // both below the target
        }

        store!.ClaimBefore = (entries[0].Id, passWrites);
        var result = await pool.Pool.ReplenishAsync().WaitAsync(Wait);

        var claimed = Assert.Single(await pool.Store.ListAsync(), e => e.Id == entries[0].Id);
        Assert.Equal(WarmPoolEntryState.Claimed, claimed.State);
        Assert.Contains(entries[0].ProjectId!, await pool.LiveProjectIdsAsync()); // the tenant's project, untouched
        Assert.Equal(0, result.Failed);
        if (passWrites == WarmPoolEntryState.Recycling)
        {
            Assert.Equal(1, result.Recycled); // only the other one
            Assert.DoesNotContain(entries[1].ProjectId!, await pool.LiveProjectIdsAsync());
        }
        else
        {
            Assert.Equal(1, result.Migrated);
            Assert.Equal(1, claimed.SchemaVersion); // the claim's, as it was claimed
        }
    }

    /// <summary>A store that, before the pass writes <see cref="ClaimBefore"/>'s entry into its state, lets a sign-up claim it.</summary>
    private sealed class ClaimFirstStore(IWarmPoolStore inner, ITenantCatalog catalog) : IWarmPoolStore
    {
        public (string Id, WarmPoolEntryState State)? ClaimBefore { get; set; }

        public async Task<WarmPoolEntry> UpdateAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default)
        {
            if (ClaimBefore is { } target && target.Id == entry.Id && target.State == entry.State)
            {
                ClaimBefore = null;
                var tenantId = TenantId.Parse("racer");
                var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = tenantId, Plan = "free" }, cancellationToken)).Record;
                var claim = await inner.ClaimAsync(new WarmPoolClaimRequest(tenantId, entry.Region, entry.PlanClass, 0, entry.DatabaseName, entry.RoleName,
                    entry.ApplicationRoleName, e => record with { ProjectId = e.ProjectId }), cancellationToken);
                Assert.Equal(entry.Id, claim?.Entry.Id);
            }

            return await inner.UpdateAsync(entry, cancellationToken);
        }

        public Task<WarmPoolEntry> AddAsync(WarmPoolEntry entry, CancellationToken cancellationToken = default) => inner.AddAsync(entry, cancellationToken);

        public Task<bool> RemoveAsync(string id, CancellationToken cancellationToken = default) => inner.RemoveAsync(id, cancellationToken);

        public Task<IReadOnlyList<WarmPoolEntry>> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public Task<WarmPoolEntry?> GetClaimAsync(TenantId tenantId, CancellationToken cancellationToken = default) => inner.GetClaimAsync(tenantId, cancellationToken);

        public Task<WarmPoolClaim?> ClaimAsync(WarmPoolClaimRequest request, CancellationToken cancellationToken = default) => inner.ClaimAsync(request, cancellationToken);
    }
}
