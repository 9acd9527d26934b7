using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Neon.Tenancy.Testing;

/// <summary>
/// The behaviour every <see cref="ITenantCatalog"/> must have. Derive from it to run the suite against a catalog:
/// implement <see cref="CreateCatalogAsync"/> (each call: a new instance over the same storage, as a second
/// application instance would see it).
/// </summary>
/// <remarks>
/// Ships in Neon.Tenancy.Testing so that an application with its own <see cref="ITenantCatalog"/> runs the same
/// contract the built-in catalogs pass. It depends only on the public API, xUnit (v2) and FakeTimeProvider.
/// <code>
/// public sealed class MyCatalogContract : TenantCatalogContractTests
/// {
///     protected override Task&lt;ITenantCatalog&gt; CreateCatalogAsync() =&gt; Task.FromResult&lt;ITenantCatalog&gt;(new MyCatalog(Time));
/// }
/// </code>
/// </remarks>
public abstract class TenantCatalogContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The clock catalogs are created with; starts with sub-microsecond ticks to prove truncation.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567));

    /// <summary>A new catalog instance over this test's storage, using <see cref="Time"/>.</summary>
    protected abstract Task<ITenantCatalog> CreateCatalogAsync();

    /// <summary>Completes when the catalog's change feed delivers changes made from now on.</summary>
    protected virtual Task WhenChangeFeedReadyAsync(ITenantCatalog catalog) => Task.CompletedTask;

    /// <summary>Prepares the storage before each test; override to create a database or schema.</summary>
    /// <returns>A task that completes when the storage is ready.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Releases the storage after each test.</summary>
    /// <returns>A task that completes when the storage is released.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static TenantReservation Reservation(string id, string plan = "free", string? region = "aws-eu-central-1") => new()
    {
        TenantId = TenantId.Parse(id),
        Plan = plan,
        Region = region,
        ProjectName = "tenant-" + id,
    };

    private DateTimeOffset NowMicroseconds()
    {
        var now = Time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>Contract: ReserveAsync, new tenant - creates provisioning record at version1.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ReserveAsync_NewTenant_CreatesProvisioningRecordAtVersion1()
    {
        var catalog = await CreateCatalogAsync();

        var result = await catalog.ReserveAsync(Reservation("acme", "pro"));

        Assert.True(result.Created);
        var record = result.Record;
        Assert.Equal(TenantId.Parse("acme"), record.TenantId);
        Assert.Equal(TenantState.Provisioning, record.State);
        Assert.Equal("pro", record.Plan);
        Assert.Equal("aws-eu-central-1", record.Region);
        Assert.Equal("tenant-acme", record.ProjectName);
        Assert.Null(record.ProjectId);
        Assert.Equal(0, record.SchemaVersion);
        Assert.True(record.PooledConnectionSecret.IsEmpty);
        Assert.True(record.DirectConnectionSecret.IsEmpty);
        Assert.Equal(1, record.Version);
        Assert.Equal(NowMicroseconds(), record.CreatedAt);
        Assert.Equal(record.CreatedAt, record.UpdatedAt);
        Assert.Equal(record, await catalog.GetAsync(record.TenantId));
    }

    /// <summary>Contract: ReserveAsync, existing tenant - returns existing record unchanged.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ReserveAsync_ExistingTenant_ReturnsExistingRecordUnchanged()
    {
        var catalog = await CreateCatalogAsync();
        var first = await catalog.ReserveAsync(Reservation("acme", "pro"));
        Time.Advance(TimeSpan.FromMinutes(1));

        var second = await catalog.ReserveAsync(Reservation("acme", "free", region: null));

        Assert.False(second.Created);
        Assert.Equal(first.Record, second.Record);
    }

    /// <summary>Contract: ReserveAsync, 100 concurrent calls through two instances - exactly one creates.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ReserveAsync_100ConcurrentCallsThroughTwoInstances_ExactlyOneCreates()
    {
        var catalogs = new[] { await CreateCatalogAsync(), await CreateCatalogAsync() };
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 100)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await catalogs[i % 2].ReserveAsync(Reservation("contended", "plan-" + i));
            }))
            .ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks).WaitAsync(Timeout);

        Assert.Single(results, r => r.Created);
        var winner = results.Single(r => r.Created).Record;
        Assert.All(results, r => Assert.Equal(winner, r.Record));
        Assert.Equal(winner, await catalogs[0].GetAsync(winner.TenantId));
    }

    /// <summary>Contract: GetAsync, unknown tenant - returns null.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task GetAsync_UnknownTenant_ReturnsNull()
    {
        var catalog = await CreateCatalogAsync();

        Assert.Null(await catalog.GetAsync(TenantId.Parse("nobody")));
    }

    /// <summary>Contract: UpdateAsync, current version - stores every field and increments version.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task UpdateAsync_CurrentVersion_StoresEveryFieldAndIncrementsVersion()
    {
        var catalog = await CreateCatalogAsync();
        var reserved = (await catalog.ReserveAsync(Reservation("acme"))).Record;
        Time.Advance(TimeSpan.FromSeconds(90));
        byte[] pooled = [1, 2, 3, 4, 5];
        byte[] direct = [9, 8, 7];
        byte[] appPooled = [11, 12];
        byte[] appDirect = [13, 14, 15];
        var recoverableUntil = new DateTimeOffset(2025, 3, 11, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        var updated = await catalog.UpdateAsync(reserved with
        {
            State = TenantState.Ready,
            Plan = "pro",
            ProjectId = "quiet-sun-123456",
            BranchId = "br-a",
            EndpointId = "ep-b",
            DatabaseName = "app",
            RoleName = "app_owner",
            SchemaVersion = 7,
            PooledConnectionSecret = pooled,
            DirectConnectionSecret = direct,
            ApplicationRoleName = "app",
            ApplicationPooledConnectionSecret = appPooled,
            ApplicationDirectConnectionSecret = appDirect,
            FailureReason = "CreateProject: Neon answered 500 (request id r-1)",
            RecoverableUntil = recoverableUntil,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        });

        Assert.Equal(2, updated.Version);
        Assert.Equal(reserved.CreatedAt, updated.CreatedAt);
        Assert.Equal(NowMicroseconds(), updated.UpdatedAt);
        Assert.Equal(TenantState.Ready, updated.State);
        Assert.Equal("pro", updated.Plan);
        Assert.Equal("quiet-sun-123456", updated.ProjectId);
        Assert.Equal("br-a", updated.BranchId);
        Assert.Equal("ep-b", updated.EndpointId);
        Assert.Equal("app", updated.DatabaseName);
        Assert.Equal("app_owner", updated.RoleName);
        Assert.Equal(7, updated.SchemaVersion);
        Assert.Equal(pooled, updated.PooledConnectionSecret.ToArray());
        Assert.Equal(direct, updated.DirectConnectionSecret.ToArray());
        Assert.Equal("app", updated.ApplicationRoleName);
        Assert.Equal(appPooled, updated.ApplicationPooledConnectionSecret.ToArray());
        Assert.Equal(appDirect, updated.ApplicationDirectConnectionSecret.ToArray());
        Assert.Equal("CreateProject: Neon answered 500 (request id r-1)", updated.FailureReason);
        Assert.Equal(new DateTimeOffset(2025, 3, 11, 3, 6, 7, TimeSpan.Zero).AddTicks(1_234_560), updated.RecoverableUntil); // UTC, microseconds
        Assert.Equal(updated, await catalog.GetAsync(updated.TenantId));
    }

    /// <summary>Contract: UpdateAsync, optional fields set back to null or empty - are cleared.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task UpdateAsync_OptionalFieldsCleared_ReadBackAsNullOrEmpty()
    {
        var catalog = await CreateCatalogAsync();
        var reserved = (await catalog.ReserveAsync(Reservation("acme"))).Record;
        var set = await catalog.UpdateAsync(reserved with
        {
            State = TenantState.Failed,
            ApplicationRoleName = "app",
            ApplicationPooledConnectionSecret = new byte[] { 1 },
            ApplicationDirectConnectionSecret = new byte[] { 2 },
            FailureReason = "Initialize: InvalidOperationException",
            RecoverableUntil = NowMicroseconds().AddDays(7),
        });

        var cleared = await catalog.UpdateAsync(set with
        {
            State = TenantState.Ready,
            ApplicationRoleName = null,
            ApplicationPooledConnectionSecret = ReadOnlyMemory<byte>.Empty,
            ApplicationDirectConnectionSecret = ReadOnlyMemory<byte>.Empty,
            FailureReason = null,
            RecoverableUntil = null,
        });

        var read = (await (await CreateCatalogAsync()).GetAsync(cleared.TenantId))!;
        Assert.Null(read.ApplicationRoleName);
        Assert.True(read.ApplicationPooledConnectionSecret.IsEmpty);
        Assert.True(read.ApplicationDirectConnectionSecret.IsEmpty);
        Assert.Null(read.FailureReason);
        Assert.Null(read.RecoverableUntil);
        Assert.Equal(cleared, read);
        Assert.NotEqual(set, read);
    }

    /// <summary>Contract: ChangeFeed, application role secret changed - reports a connection change.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ChangeFeed_ApplicationSecretChanged_ReportsConnectionChange()
    {
        var writer = await CreateCatalogAsync();
        var reader = await CreateCatalogAsync();
        using var changes = new TenantChangeProbe(reader);
        await WhenChangeFeedReadyAsync(reader).WaitAsync(Timeout);
        var id = TenantId.Parse("acme");
        var reserved = (await writer.ReserveAsync(Reservation("acme"))).Record;
        await changes.WaitForAsync(c => c.TenantId == id);

        var reason = await writer.UpdateAsync(reserved with { FailureReason = "CreateProject: HttpRequestException" });
        var reasonChange = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 2);
        await writer.UpdateAsync(reason with { ApplicationRoleName = "app", ApplicationPooledConnectionSecret = new byte[] { 7 } });
        var secretChange = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 3);

        Assert.False(reasonChange.ConnectionChanged);
        Assert.True(secretChange.ConnectionChanged);
    }

    /// <summary>Contract: UpdateAsync, stale version - throws concurrency exception and keeps the winner.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task UpdateAsync_StaleVersion_ThrowsConcurrencyExceptionAndKeepsTheWinner()
    {
        var catalog = await CreateCatalogAsync();
        var read = (await catalog.ReserveAsync(Reservation("acme"))).Record;
        var winner = await catalog.UpdateAsync(read with { State = TenantState.Ready });

        var ex = await Assert.ThrowsAsync<TenantConcurrencyException>(() => catalog.UpdateAsync(read with { State = TenantState.Failed }));

        Assert.Equal(read.TenantId, ex.TenantId);
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Contains("acme", ex.Message, StringComparison.Ordinal);
        Assert.Equal(winner, await catalog.GetAsync(read.TenantId));
    }

    /// <summary>Contract: UpdateAsync, 20 concurrent updates of one version - exactly one wins.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task UpdateAsync_20ConcurrentUpdatesOfOneVersion_ExactlyOneWins()
    {
        var catalogs = new[] { await CreateCatalogAsync(), await CreateCatalogAsync() };
        var read = (await catalogs[0].ReserveAsync(Reservation("acme"))).Record;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await catalogs[i % 2].UpdateAsync(read with { SchemaVersion = i + 1 });
                return true;
            }
            catch (TenantConcurrencyException)
            {
                return false;
            }
        }))).WaitAsync(Timeout);

        Assert.Single(outcomes, won => won);
        var stored = await catalogs[1].GetAsync(read.TenantId);
        Assert.Equal(2, stored!.Version);
        Assert.True(outcomes[stored.SchemaVersion - 1]);
    }

    /// <summary>Contract: UpdateAsync, unknown tenant - throws not found.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task UpdateAsync_UnknownTenant_ThrowsNotFound()
    {
        var catalog = await CreateCatalogAsync();
        var ghost = new TenantRecord { TenantId = TenantId.Parse("ghost"), State = TenantState.Ready, Plan = "free", Version = 1 };

        var ex = await Assert.ThrowsAsync<TenantNotFoundException>(() => catalog.UpdateAsync(ghost));

        Assert.Equal(ghost.TenantId, ex.TenantId);
    }

    /// <summary>Contract: RemoveAsync, existing tenant - removes it once.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task RemoveAsync_ExistingTenant_RemovesItOnce()
    {
        var catalog = await CreateCatalogAsync();
        var id = (await catalog.ReserveAsync(Reservation("acme"))).Record.TenantId;

        Assert.True(await catalog.RemoveAsync(id));
        Assert.Null(await catalog.GetAsync(id));
        Assert.False(await catalog.RemoveAsync(id));
        Assert.True((await catalog.ReserveAsync(Reservation("acme"))).Created);
    }

    /// <summary>Contract: ListAsync, small pages - return every tenant once in id order.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ListAsync_SmallPages_ReturnEveryTenantOnceInIdOrder()
    {
        var catalog = await CreateCatalogAsync();
        var ids = Enumerable.Range(0, 25).Select(i => $"t-{i:D2}").Append("a").Append("a-0").Append("z9").ToList();
        foreach (var id in ids)
        {
            await catalog.ReserveAsync(Reservation(id));
        }

        var seen = new List<string>();
        var pages = 0;
        var query = new TenantQuery { PageSize = 10 };
        while (true)
        {
            var page = await catalog.ListAsync(query);
            pages++;
            Assert.InRange(page.Items.Count, 1, 10);
            seen.AddRange(page.Items.Select(r => r.TenantId.Value));
            if (page.ContinuationToken is null)
            {
                break;
            }

            query = query with { ContinuationToken = page.ContinuationToken };
        }

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
    }

    /// <summary>Contract: ListAsync, state and plan filters - return only matching tenants.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ListAsync_StateAndPlanFilters_ReturnOnlyMatchingTenants()
    {
        var catalog = await CreateCatalogAsync();
        for (var i = 0; i < 12; i++)
        {
            var record = (await catalog.ReserveAsync(Reservation($"t{i:D2}", i % 3 == 0 ? "pro" : "free"))).Record;
            if (i % 2 == 0)
            {
                await catalog.UpdateAsync(record with { State = TenantState.Ready });
            }
        }

        var readyPro = await catalog.ListAsync(new TenantQuery { State = TenantState.Ready, Plan = "pro" });
        var provisioning = await catalog.ListAsync(new TenantQuery { State = TenantState.Provisioning });
        var free = await catalog.ListAsync(new TenantQuery { Plan = "free", PageSize = 3 });
        var none = await catalog.ListAsync(new TenantQuery { State = TenantState.Deleted });

        Assert.Equal(["t00", "t06"], readyPro.Items.Select(r => r.TenantId.Value));
        Assert.Null(readyPro.ContinuationToken);
        Assert.Equal(["t01", "t03", "t05", "t07", "t09", "t11"], provisioning.Items.Select(r => r.TenantId.Value));
        Assert.Equal(["t01", "t02", "t04"], free.Items.Select(r => r.TenantId.Value));
        Assert.NotNull(free.ContinuationToken);
        Assert.Empty(none.Items);
        Assert.Null(none.ContinuationToken);
    }

    /// <summary>Contract: ListAsync, page size out of range - throws.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(TenantQuery.MaxPageSize + 1)]
    public async Task ListAsync_PageSizeOutOfRange_Throws(int pageSize)
    {
        var catalog = await CreateCatalogAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => catalog.ListAsync(new TenantQuery { PageSize = pageSize }));
    }

    /// <summary>Contract: ListAsync, foreign continuation token - throws.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ListAsync_ForeignContinuationToken_Throws()
    {
        var catalog = await CreateCatalogAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => catalog.ListAsync(new TenantQuery { ContinuationToken = "'; DROP TABLE x; --" }));
    }

    /// <summary>Contract: Data, read through new catalog instance - is identical.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task Data_ReadThroughNewCatalogInstance_IsIdentical()
    {
        var first = await CreateCatalogAsync();
        var reserved = (await first.ReserveAsync(Reservation("acme", "pro"))).Record;
        var stored = await first.UpdateAsync(reserved with
        {
            State = TenantState.Ready,
            ProjectId = "p-1",
            PooledConnectionSecret = new byte[] { 42, 0, 255 },
        });

        var second = await CreateCatalogAsync();

        Assert.Equal(stored, await second.GetAsync(stored.TenantId));
        Assert.Equal([stored], (await second.ListAsync(new TenantQuery())).Items);
    }

    /// <summary>Contract: ChangeFeed, changes through one instance - reach subscriber of another.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ChangeFeed_ChangesThroughOneInstance_ReachSubscriberOfAnother()
    {
        var writer = await CreateCatalogAsync();
        var reader = await CreateCatalogAsync();
        using var changes = new TenantChangeProbe(reader);
        await WhenChangeFeedReadyAsync(reader).WaitAsync(Timeout);
        var id = TenantId.Parse("acme");

        var reserved = (await writer.ReserveAsync(Reservation("acme", "free"))).Record;
        var created = await changes.WaitForAsync(c => c.TenantId == id);
        var planChanged = await writer.UpdateAsync(reserved with { Plan = "pro" });
        var plan = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 2);
        var secretChanged = await writer.UpdateAsync(planChanged with { PooledConnectionSecret = new byte[] { 1 } });
        var secret = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 3);
        var stateChanged = await writer.UpdateAsync(secretChanged with { State = TenantState.Suspended });
        var state = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 4);
        await writer.RemoveAsync(id);
        var removed = await changes.WaitForAsync(c => c.TenantId == id && c.Kind == TenantChangeKind.Removed);

        Assert.Equal(TenantChangeKind.Reserved, created.Kind);
        Assert.Equal((1L, TenantState.Provisioning, "free"), (created.Version, created.State!.Value, created.Plan));
        Assert.Equal((TenantChangeKind.Updated, true, false, false), (plan.Kind, plan.PlanChanged, plan.StateChanged, plan.ConnectionChanged));
        Assert.Equal("pro", plan.Plan);
        Assert.Equal((true, false, false), (secret.ConnectionChanged, secret.PlanChanged, secret.StateChanged));
        Assert.Equal((true, false, false), (state.StateChanged, state.PlanChanged, state.ConnectionChanged));
        Assert.Equal(TenantState.Suspended, state.State);
        Assert.Equal(stateChanged.Version, removed.Version);
    }

    /// <summary>Contract: ChangeFeed, one handler throws or unsubscribes - others still receive.</summary>
    /// <returns>A task that completes when the check passed.</returns>
    [Fact]
    public async Task ChangeFeed_OneHandlerThrowsOrUnsubscribes_OthersStillReceive()
    {
        var catalog = await CreateCatalogAsync();
        using var throwing = catalog.SubscribeToChanges(_ => throw new InvalidOperationException("subscriber bug"));
        var unsubscribedCount = 0;
        var unsubscribed = catalog.SubscribeToChanges(_ => Interlocked.Increment(ref unsubscribedCount));
        unsubscribed.Dispose();
        using var changes = new TenantChangeProbe(catalog);
        await WhenChangeFeedReadyAsync(catalog).WaitAsync(Timeout);

        await catalog.ReserveAsync(Reservation("acme"));
        await catalog.ReserveAsync(Reservation("beta"));

        await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("acme"));
        await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("beta"));
        Assert.Equal(0, Volatile.Read(ref unsubscribedCount));
    }
}
