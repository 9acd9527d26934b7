using System.Collections.Concurrent;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>The claim: which entry fits, what it does to the tenant's record, what a failure leaves, and claimers at once.</summary>
public abstract partial class WarmPoolStoreContract
{
    /// <summary>The stores the concurrency case claims through at once: one, or several instances over one database.</summary>
    private protected virtual IReadOnlyList<IWarmPoolStore> ConcurrentStores() => [Store];

    [Fact]
    public async Task Claim_OldestFittingReadyEntry_EveryOtherSkippedAndLeftUnchanged()
    {
        WarmPoolEntry[] misfits =
        [
            Entry("region", region: "aws-us-east-2"),
            Entry("plan", planClass: "free"),
            Entry("schema", schemaVersion: 2),
            Entry("database", databaseName: "other"),
            Entry("role", roleName: "other_owner"),
            Entry("noapprole", applicationRoleName: null),
            Entry("otherapprole", applicationRoleName: "reader"),
            Entry("creating", state: WarmPoolEntryState.Creating),
            Entry("migrating", state: WarmPoolEntryState.Migrating),
            Entry("claimed", state: WarmPoolEntryState.Claimed, claimedBy: TenantId.Parse("someone-else")),
            Entry("recycling", state: WarmPoolEntryState.Recycling),
        ];
        var stored = new List<WarmPoolEntry>();
        foreach (var entry in misfits)
        {
            stored.Add(await Store.AddAsync(entry));
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        var newerSchema = await Store.AddAsync(Entry("fita", schemaVersion: 4)); // above the minimum fits
        Time.Advance(TimeSpan.FromSeconds(1));
        var atMinimum = await Store.AddAsync(Entry("fitb"));
        var (t1, t2, t3) = (await ReserveAsync("t1"), await ReserveAsync("t2"), await ReserveAsync("t3"));

        var first = await Store.ClaimAsync(Request(t1));
        var second = await Store.ClaimAsync(Request(t2));
        var none = await Store.ClaimAsync(Request(t3, bind: _ => throw new InvalidOperationException("Bind is called only with an entry")));

        Assert.Equal((newerSchema.Id, t1.TenantId), (first!.Entry.Id, first.Entry.ClaimedBy));
        Assert.Equal((atMinimum.Id, t2.TenantId), (second!.Entry.Id, second.Entry.ClaimedBy));
        Assert.Null(none);
        Assert.Equal(t3, await Catalog.GetAsync(t3.TenantId));
        var listed = await Store.ListAsync();
        Assert.Equal([.. stored, first.Entry, second.Entry], listed);
    }

    [Fact]
    public async Task Claim_WithoutApplicationRole_FitsOnlyEntriesWithout()
    {
        await Store.AddAsync(Entry("withapp"));
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.AddAsync(Entry("withoutapp", applicationRoleName: null));
        var tenant = await ReserveAsync("acme");

        var claim = await Store.ClaimAsync(Request(tenant, applicationRoleName: null));

        Assert.Equal("withoutapp", claim!.Entry.Id);
    }

    [Fact]
    public async Task Claim_EmptyRegionAndPlanClass_APoolOfTheirOwn()
    {
        await Store.AddAsync(Entry("named"));
        Time.Advance(TimeSpan.FromSeconds(1));
        await Store.AddAsync(Entry("blank", region: "", planClass: ""));
        var tenant = await ReserveAsync("acme");

        var claim = await Store.ClaimAsync(Request(tenant, region: "", planClass: ""));

        Assert.Equal(("blank", "aws-us-east-2"), (claim!.Entry.Id, claim.Record.Region));
    }

    [Fact]
    public async Task Claim_Fits_TenantRecordBoundVersionBumpedChangeFeedToldEntryClaimed()
    {
        var tenant = await ReserveAsync("acme");
        var added = await Store.AddAsync(Entry("e1"));
        Time.Advance(TimeSpan.FromMinutes(1));
        using var changes = new TenantChangeProbe(Catalog);
        await WhenChangeFeedReadyAsync(Catalog).WaitAsync(Timeout);
        WarmPoolEntry? seen = null;

        var claim = await Store.ClaimAsync(Request(tenant, bind: e => Bound(tenant, seen = e)));

        Assert.NotNull(claim);
        Assert.Equal(added, seen);
        Assert.Equal(Bound(tenant, added) with { Version = 2, UpdatedAt = Now }, claim.Record);
        Assert.Equal(claim.Record, await Catalog.GetAsync(tenant.TenantId));
        Assert.Equal(added with { State = WarmPoolEntryState.Claimed, ClaimedBy = tenant.TenantId, Version = 2, UpdatedAt = Now }, claim.Entry);
        Assert.Equal(claim.Entry, await Store.GetClaimAsync(tenant.TenantId));
        Assert.Equal([claim.Entry], await Store.ListAsync());
        var change = await changes.WaitForAsync(c => c.TenantId == tenant.TenantId, Timeout);
        Assert.Equal((TenantChangeKind.Updated, 2L, true), (change.Kind, change.Version, change.ConnectionChanged));
    }

    [Fact]
    public async Task Claim_TenantChangedSinceRead_TenantConcurrencyExceptionNothingClaimed()
    {
        var tenant = await ReserveAsync("acme");
        var newer = await Catalog.UpdateAsync(tenant with { FailureReason = "changed meanwhile" });
        var added = await Store.AddAsync(Entry("e1"));

        var ex = await Assert.ThrowsAsync<TenantConcurrencyException>(() => Store.ClaimAsync(Request(tenant)));

        Assert.Equal((1L, 2L), (ex.ExpectedVersion, ex.ActualVersion));
        Assert.Equal(newer, await Catalog.GetAsync(tenant.TenantId));
        Assert.Equal([added], await Store.ListAsync());
        Assert.Null(await Store.GetClaimAsync(tenant.TenantId));

        // Not left locked: a claim on the current record takes it.
        Assert.Equal("e1", (await Store.ClaimAsync(Request(newer)))!.Entry.Id);
    }

    [Fact]
    public async Task Claim_TenantNotInCatalog_TenantNotFoundExceptionNothingClaimed()
    {
        var added = await Store.AddAsync(Entry("e1"));
        var ghost = new TenantRecord { TenantId = TenantId.Parse("ghost"), State = TenantState.Provisioning, Plan = "pro", Version = 1 };

        await Assert.ThrowsAsync<TenantNotFoundException>(() => Store.ClaimAsync(Request(ghost)));

        Assert.Equal([added], await Store.ListAsync());
        Assert.Null(await Catalog.GetAsync(ghost.TenantId));
    }

    [Fact]
    public async Task Claim_BindThrows_ItsExceptionPropagatesNothingClaimedNoChangePublished()
    {
        var tenant = await ReserveAsync("acme");
        var added = await Store.AddAsync(Entry("e1"));
        using var changes = new TenantChangeProbe(Catalog);
        await WhenChangeFeedReadyAsync(Catalog).WaitAsync(Timeout);
        var boom = new FormatException("bind failed");

        var thrown = await Assert.ThrowsAsync<FormatException>(() => Store.ClaimAsync(Request(tenant, bind: _ => throw boom)));

        Assert.Same(boom, thrown);
        Assert.Equal([added], await Store.ListAsync());
        await AssertNextChangeIsAPlainUpdateAsync(changes, tenant);
    }

    [Fact]
    public async Task Claim_BindReturnsAnotherTenantsRecord_InvalidOperationExceptionNothingClaimed()
    {
        var (acme, other) = (await ReserveAsync("acme"), await ReserveAsync("other"));
        var added = await Store.AddAsync(Entry("e1"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ClaimAsync(Request(acme, bind: e => Bound(other, e))));

        Assert.Equal([added], await Store.ListAsync());
        Assert.Equal((acme, other), (await Catalog.GetAsync(acme.TenantId), await Catalog.GetAsync(other.TenantId)));
    }

    [Fact]
    public async Task Claim_TenantHoldsAClaimAlready_InvalidOperationExceptionSecondEntryReadyNoChangePublished()
    {
        var tenant = await ReserveAsync("acme");
        await Store.AddAsync(Entry("e1"));
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Store.AddAsync(Entry("e2"));
        var first = await Store.ClaimAsync(Request(tenant));
        using var changes = new TenantChangeProbe(Catalog);
        await WhenChangeFeedReadyAsync(Catalog).WaitAsync(Timeout);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ClaimAsync(Request(first!.Record)));

        Assert.Equal(first!.Record, await Catalog.GetAsync(tenant.TenantId));
        Assert.Equal([first.Entry, second], await Store.ListAsync());
        await AssertNextChangeIsAPlainUpdateAsync(changes, first.Record);
    }

    [Fact]
    public async Task Claim_EightClaimersFortyTenantsTwentyEntries_TwentyClaimsNoEntryTwiceEveryRecordBoundToItsEntry()
    {
        const int Entries = 20, Tenants = 40, Claimers = 8;
        for (var i = 0; i < Entries; i++)
        {
            await Store.AddAsync(Entry($"e{i:D2}"));
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var queue = new ConcurrentQueue<TenantRecord>();
        for (var i = 0; i < Tenants; i++)
        {
            queue.Enqueue(await ReserveAsync($"t{i:D2}"));
        }

        var stores = ConcurrentStores();
        var claims = new ConcurrentBag<WarmPoolClaim>();
        var nulls = 0;

        async Task ClaimAsync(int claimer)
        {
            while (queue.TryDequeue(out var tenant))
            {
                if (await stores[claimer % stores.Count].ClaimAsync(Request(tenant)) is { } claim)
                {
                    claims.Add(claim);
                }
                else
                {
                    Interlocked.Increment(ref nulls);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Claimers).Select(c => Task.Run(() => ClaimAsync(c)))).WaitAsync(Timeout);

        Assert.Equal((Entries, Tenants - Entries), (claims.Count, nulls));
        Assert.Equal(Entries, claims.Select(c => c.Entry.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Entries, claims.Select(c => c.Record.TenantId).Distinct().Count());
        foreach (var claim in claims)
        {
            Assert.Equal(claim.Entry.ClaimedBy, claim.Record.TenantId);
            var record = await Catalog.GetAsync(claim.Record.TenantId);
            Assert.Equal((claim.Entry.ProjectId, 2L), (record!.ProjectId, record.Version));
        }

        var listed = await Store.ListAsync();
        Assert.All(listed, e => Assert.Equal(WarmPoolEntryState.Claimed, e.State));
        Assert.Equal(claims.Select(c => c.Entry).OrderBy(e => e.Id, StringComparer.Ordinal), listed.OrderBy(e => e.Id, StringComparer.Ordinal));
        var unbound = (await Catalog.ListAsync(new TenantQuery { PageSize = 100 })).Items.Where(r => r.ProjectId is null).ToList();
        Assert.Equal(Tenants - Entries, unbound.Count);
        Assert.All(unbound, r => Assert.Equal(1L, r.Version));
    }

    /// <summary>A claim request for the default pool (<see cref="Entry"/>'s) binding <paramref name="record"/> as <see cref="Bound"/> does.</summary>
    private protected static WarmPoolClaimRequest Request(
        TenantRecord record,
        string region = "aws-eu-central-1",
        string planClass = "pro",
        int minimumSchemaVersion = 3,
        string databaseName = "neondb",
        string roleName = "neondb_owner",
        string? applicationRoleName = "app",
        Func<WarmPoolEntry, TenantRecord>? bind = null) =>
        new(record.TenantId, region, planClass, minimumSchemaVersion, databaseName, roleName, applicationRoleName, bind ?? (e => Bound(record, e)));

    /// <summary>The tenant's record pointing at the entry's project, its secrets re-encrypted for the tenant (stand-ins).</summary>
    private protected static TenantRecord Bound(TenantRecord record, WarmPoolEntry entry) => record with
    {
        ProjectId = entry.ProjectId,
        Region = entry.NeonRegion,
        BranchId = entry.BranchId,
        EndpointId = entry.EndpointId,
        DatabaseName = entry.DatabaseName,
        RoleName = entry.RoleName,
        ApplicationRoleName = entry.ApplicationRoleName,
        SchemaVersion = entry.SchemaVersion,
        PooledConnectionSecret = new byte[] { 0x5A, 0x17, 0x01 },
        DirectConnectionSecret = new byte[] { 0x5A, 0x17, 0x02 },
    };

    /// <summary>
    /// A failed claim published nothing: after an update of only the failure reason, the first change of the tenant
    /// is that update's (a rolled-back claim's would come first, as a connection change).
    /// </summary>
    private async Task AssertNextChangeIsAPlainUpdateAsync(TenantChangeProbe changes, TenantRecord current)
    {
        var later = await Catalog.UpdateAsync(current with { FailureReason = "later" });
        var change = await changes.WaitForAsync(c => c.TenantId == current.TenantId, Timeout);
        Assert.Equal((later.Version, false, false), (change.Version, change.ConnectionChanged, change.StateChanged));
    }
}
