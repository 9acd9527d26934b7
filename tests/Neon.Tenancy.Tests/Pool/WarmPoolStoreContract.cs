using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// What every <see cref="IWarmPoolStore"/> does, run against each implementation (<see cref="InMemoryWarmPoolStoreTests"/>,
/// <see cref="PostgresWarmPoolStoreTests"/>): a fresh catalog and store per case on a <see cref="FakeTimeProvider"/>.
/// This file: the entries; WarmPoolStoreContract.Claims.cs: the claim.
/// </summary>
public abstract partial class WarmPoolStoreContract : IAsyncLifetime
{
    private protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private ITenantCatalog? _catalog;
    private IWarmPoolStore? _store;

    /// <summary>The clock of the case's catalog and store (a tick below a microsecond: stored times are truncated).</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(7));

    private protected ITenantCatalog Catalog => _catalog ?? throw new InvalidOperationException("Not initialized.");

    private protected IWarmPoolStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>The clock's time at the precision the stores keep.</summary>
    private protected DateTimeOffset Now => CatalogRules.Truncate(Time.GetUtcNow());

    public Task InitializeAsync()
    {
        (_catalog, _store) = Create(Time);
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A catalog on <paramref name="time"/> and the store beside it.</summary>
    private protected abstract (ITenantCatalog Catalog, IWarmPoolStore Store) Create(TimeProvider time);

    /// <summary>Completes when <paramref name="catalog"/>'s change feed delivers changes.</summary>
    private protected virtual Task WhenChangeFeedReadyAsync(ITenantCatalog catalog) => Task.CompletedTask;

    [Fact]
    public async Task Add_NewEntry_StoredAtVersion1WithTheStoresTimesAtMicroseconds()
    {
        var given = Entry("e1", claimedBy: null) with { Version = 41, CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch, FailureReason = "none yet" };

        var added = await Store.AddAsync(given);

        Assert.Equal(given with { Version = 1, CreatedAt = Now, UpdatedAt = Now }, added);
        Assert.Equal([added], await Store.ListAsync());
    }

    [Fact]
    public async Task Add_ExistingId_InvalidOperationExceptionAndStoredEntryUnchanged()
    {
        var added = await Store.AddAsync(Entry("e1"));
        Time.Advance(TimeSpan.FromMinutes(1));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddAsync(Entry("e1", region: "aws-us-east-2")));

        Assert.Contains("'e1'", ex.Message, StringComparison.Ordinal);
        Assert.Equal([added], await Store.ListAsync());
    }

    public static TheoryData<string, string> InvalidEntries => new()
    {
        { "empty id", "Id" },
        { "long id", "Id" },
        { "uppercase id", "Id" },
        { "null region", "Region" },
        { "long region", "Region" },
        { "null plan class", "PlanClass" },
        { "long plan class", "PlanClass" },
        { "empty project name", "ProjectName" },
        { "long project name", "ProjectName" },
    };

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public async Task AddAndUpdate_InvalidField_ArgumentExceptionNamingTheFieldAndNothingStored(string invalid, string field)
    {
        var entry = Entry("e1");
        entry = invalid switch
        {
            "empty id" => entry with { Id = "" },
            "long id" => entry with { Id = new string('a', WarmPoolEntry.MaxIdLength + 1) },
            "uppercase id" => entry with { Id = "E1" },
            "null region" => entry with { Region = null! },
            "long region" => entry with { Region = new string('r', 65) },
            "null plan class" => entry with { PlanClass = null! },
            "long plan class" => entry with { PlanClass = new string('p', 65) },
            "empty project name" => entry with { ProjectName = "" },
            "long project name" => entry with { ProjectName = new string('n', 65) },
            _ => throw new ArgumentOutOfRangeException(nameof(invalid)),
        };

        var add = await Assert.ThrowsAsync<ArgumentException>(() => Store.AddAsync(entry));
        var update = await Assert.ThrowsAsync<ArgumentException>(() => Store.UpdateAsync(entry with { Version = 1 }));

        Assert.Contains(field, add.Message, StringComparison.Ordinal);
        Assert.Contains(field, update.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListAsync());
    }

    [Fact]
    public async Task Add_EmptyRegionAndPlanClass_AreValid()
    {
        var added = await Store.AddAsync(Entry("e1", region: "", planClass: ""));

        Assert.Equal(("", ""), (added.Region, added.PlanClass));
    }

    [Fact]
    public async Task Add_CallerChangesItsBuffersAfterwards_StoredSecretsUnchanged()
    {
        var secret = Secret(1);
        await Store.AddAsync(Entry("e1") with { PooledConnectionSecret = secret });

        secret[0] = 0;

        Assert.Equal(Secret(1), (await Store.ListAsync())[0].PooledConnectionSecret.ToArray());
    }

    [Fact]
    public async Task List_OldestFirstThenOrdinalId()
    {
        await Store.AddAsync(Entry("z"));
        Time.Advance(TimeSpan.FromMinutes(1));
        await Store.AddAsync(Entry("b"));
        await Store.AddAsync(Entry("a"));
        Time.Advance(TimeSpan.FromMinutes(1));
        await Store.AddAsync(Entry("c9"));
        await Store.AddAsync(Entry("c10"));

        var listed = await Store.ListAsync();

        Assert.Equal(["z", "a", "b", "c10", "c9"], listed.Select(e => e.Id));
    }

    [Fact]
    public async Task Update_CurrentVersion_ReplacedWithVersionBumpedAndCreatedAtKept()
    {
        var added = await Store.AddAsync(Entry("e1", state: WarmPoolEntryState.Creating));
        Time.Advance(TimeSpan.FromMinutes(2));
        var changed = added with
        {
            State = WarmPoolEntryState.Ready,
            ProjectId = "proj-new",
            SchemaVersion = 7,
            ApplicationRoleName = null,
            ApplicationPooledConnectionSecret = ReadOnlyMemory<byte>.Empty,
            FailureReason = "retried",
            CreatedAt = DateTimeOffset.UnixEpoch,
        };

        var updated = await Store.UpdateAsync(changed);

        Assert.Equal(changed with { CreatedAt = added.CreatedAt, UpdatedAt = Now, Version = 2 }, updated);
        Assert.Equal([updated], await Store.ListAsync());
        Assert.Equal(3, (await Store.UpdateAsync(updated)).Version);
    }

    [Fact]
    public async Task Update_StaleOrRemovedEntry_WarmPoolConcurrencyExceptionAndNothingChanged()
    {
        var added = await Store.AddAsync(Entry("e1"));
        var updated = await Store.UpdateAsync(added with { SchemaVersion = 4 });

        var stale = await Assert.ThrowsAsync<WarmPoolConcurrencyException>(() => Store.UpdateAsync(added with { State = WarmPoolEntryState.Recycling }));

        Assert.Equal("e1", stale.EntryId);
        Assert.Equal([updated], await Store.ListAsync());
        Assert.True(await Store.RemoveAsync("e1"));
        await Assert.ThrowsAsync<WarmPoolConcurrencyException>(() => Store.UpdateAsync(updated));
        Assert.Empty(await Store.ListAsync());
    }

    [Fact]
    public async Task Remove_ExistingThenMissing_TrueThenFalseOthersKept()
    {
        await Store.AddAsync(Entry("e1"));
        var kept = await Store.AddAsync(Entry("e2"));

        Assert.True(await Store.RemoveAsync("e1"));
        Assert.False(await Store.RemoveAsync("e1"));
        Assert.Equal([kept], await Store.ListAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => Store.RemoveAsync(""));
    }

    [Fact]
    public async Task AddAndUpdate_ClaimerOfAnotherEntry_InvalidOperationException()
    {
        var acme = TenantId.Parse("acme");
        var first = await Store.AddAsync(Entry("e1", state: WarmPoolEntryState.Claimed, claimedBy: acme));
        var second = await Store.AddAsync(Entry("e2"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddAsync(Entry("e3", state: WarmPoolEntryState.Claimed, claimedBy: acme)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpdateAsync(second with { State = WarmPoolEntryState.Claimed, ClaimedBy = acme }));

        Assert.Equal([first, second], await Store.ListAsync());
        Assert.Equal(2, (await Store.UpdateAsync(first with { FailureReason = "same claimer, same entry" })).Version);
    }

    [Fact]
    public async Task GetClaim_OnlyAnEntryInStateClaimedByThatTenant()
    {
        var acme = TenantId.Parse("acme");
        var recycled = await Store.AddAsync(Entry("e1", state: WarmPoolEntryState.Recycling, claimedBy: acme));

        Assert.Null(await Store.GetClaimAsync(acme));
        Assert.Null(await Store.GetClaimAsync(TenantId.Parse("other")));

        var claimed = await Store.UpdateAsync(recycled with { State = WarmPoolEntryState.Claimed });
        Assert.Equal(claimed, await Store.GetClaimAsync(acme));
        Assert.Null(await Store.GetClaimAsync(TenantId.Parse("other")));
    }

    [Fact]
    public async Task ToString_EntryAndClaim_PrintNoSecretBytes()
    {
        var tenant = await ReserveAsync("acme");
        var added = await Store.AddAsync(Entry("e1"));
        var claim = await Store.ClaimAsync(Request(tenant));

        foreach (var text in new[] { added.ToString(), claim!.ToString(), claim.Entry.ToString() })
        {
            Assert.Contains("e1", text, StringComparison.Ordinal);
            foreach (var secret in new[] { Secret(1), Secret(2), Secret(3), Secret(4), Bound(tenant, added).PooledConnectionSecret.ToArray() })
            {
                Assert.DoesNotContain(Convert.ToHexString(secret), text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(BitConverter.ToString(secret), text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Convert.ToBase64String(secret), text, StringComparison.Ordinal);
                Assert.DoesNotContain(string.Join(", ", secret), text, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>A distinctive ciphertext stand-in, by tag.</summary>
    private protected static byte[] Secret(byte tag) => [0xC1, 0x9E, tag, 0x7A, 0x55, 0xD3];

    /// <summary>An entry of the default pool (<see cref="Request"/>'s), ready, schema version 3, with all four secrets.</summary>
    private protected static WarmPoolEntry Entry(
        string id,
        string region = "aws-eu-central-1",
        string planClass = "pro",
        WarmPoolEntryState state = WarmPoolEntryState.Ready,
        int schemaVersion = 3,
        string databaseName = "neondb",
        string roleName = "neondb_owner",
        string? applicationRoleName = "app",
        TenantId? claimedBy = null) => new()
    {
        Id = id,
        Region = region,
        PlanClass = planClass,
        State = state,
        ProjectName = WarmPoolEntry.ProjectNameFor("app-", id),
        ProjectId = "proj-" + id,
        NeonRegion = region.Length == 0 ? "aws-us-east-2" : region,
        BranchId = "br-" + id,
        EndpointId = "ep-" + id,
        DatabaseName = databaseName,
        RoleName = roleName,
        ApplicationRoleName = applicationRoleName,
        PooledConnectionSecret = Secret(1),
        DirectConnectionSecret = Secret(2),
        ApplicationPooledConnectionSecret = applicationRoleName is null ? ReadOnlyMemory<byte>.Empty : Secret(3),
        ApplicationDirectConnectionSecret = applicationRoleName is null ? ReadOnlyMemory<byte>.Empty : Secret(4),
        SchemaVersion = schemaVersion,
        ClaimedBy = claimedBy,
    };

    private protected async Task<TenantRecord> ReserveAsync(string tenantId) =>
        (await Catalog.ReserveAsync(new TenantReservation { TenantId = TenantId.Parse(tenantId), Plan = "pro", ProjectName = "app-" + tenantId })).Record;
}
