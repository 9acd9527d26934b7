namespace Neon.Tenancy.Testing.Tests.Catalog;

/// <summary>
/// The contract itself: its cases are listed and found by name, a catalog that breaks a case fails it with an
/// exception naming the case and what differed (never the secret bytes), and the catalogs a case made are disposed.
/// </summary>
public sealed class TenantCatalogContractTests
{
    [Fact]
    public void CaseNames_AreUniqueAndMatchCases()
    {
        Assert.Equal(25, TenantCatalogContract.Cases.Count);
        Assert.Equal(TenantCatalogContract.Cases.Select(c => c.Name), TenantCatalogContract.CaseNames);
        Assert.Equal(TenantCatalogContract.CaseNames.Count, TenantCatalogContract.CaseNames.Distinct(StringComparer.Ordinal).Count());
        Assert.All(TenantCatalogContract.Cases, c =>
        {
            Assert.Same(c, TenantCatalogContract.GetCase(c.Name));
            Assert.Equal(c.Name, c.ToString());
            Assert.False(string.IsNullOrWhiteSpace(c.Description));
        });
    }

    [Fact]
    public void GetCase_UnknownName_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => TenantCatalogContract.GetCase("NoSuchCase"));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains("NoSuchCase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CatalogDropsAField_FailsTheCaseNamingTheField()
    {
        const string name = "UpdateAsync_CurrentVersion_StoresEveryFieldAndIncrementsVersion";

        var ex = await Assert.ThrowsAsync<TenantCatalogContractException>(() =>
            TenantCatalogContract.RunAsync(name, Broken(r => r with { FailureReason = null })));

        Assert.Equal(name, ex.CaseName);
        Assert.StartsWith($"Tenant catalog contract case '{name}' failed: FailureReason: expected \"CreateProject", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("got null.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CatalogCorruptsASecret_FailsWithoutPrintingTheBytes()
    {
        const string name = "UpdateAsync_CurrentVersion_StoresEveryFieldAndIncrementsVersion";

        var ex = await Assert.ThrowsAsync<TenantCatalogContractException>(() =>
            TenantCatalogContract.RunAsync(name, Broken(r => r with { PooledConnectionSecret = new byte[] { 200, 201, 202, 203, 204 } })));

        Assert.Contains("PooledConnectionSecret: expected 5 bytes, got 5 bytes", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("200", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1, 2, 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CatalogThrowsUnexpectedly_FailsTheCaseWithTheCatalogsException()
    {
        const string name = "GetAsync_UnknownTenant_ReturnsNull";

        var ex = await Assert.ThrowsAsync<TenantCatalogContractException>(() =>
            TenantCatalogContract.RunAsync(name, TenantCatalogContract.Target(_ => new ThrowingOnGetCatalog())));

        Assert.Equal(name, ex.CaseName);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains("the catalog threw InvalidOperationException: get is broken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CatalogAcceptsAStaleVersion_FailsTheConcurrencyCase()
    {
        const string name = "UpdateAsync_StaleVersion_ThrowsConcurrencyExceptionAndKeepsTheWinner";

        var ex = await Assert.ThrowsAsync<TenantCatalogContractException>(() =>
            TenantCatalogContract.RunAsync(name, Broken(r => r, ignoreVersions: true)));

        Assert.Contains("expected TenantConcurrencyException, but nothing was thrown", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PassingCase_DisposesEveryCatalogItCreated()
    {
        var created = new List<BreakingCatalog>();
        InMemoryTenantCatalog? shared = null;

        await TenantCatalogContract.RunAsync("UpdateAsync_20ConcurrentUpdatesOfOneVersion_ExactlyOneWins", TenantCatalogContract.Target(time =>
        {
            var catalog = new BreakingCatalog(shared ??= new InMemoryTenantCatalog(time), r => r, ignoreVersions: false);
            created.Add(catalog);
            return catalog;
        }));

        Assert.Equal(2, created.Count);
        Assert.All(created, c => Assert.True(c.Disposed));
    }

    [Fact]
    public async Task RunAsync_CatalogListsCheckpointsNewestFirst_FailsTheOrderCase()
    {
        const string name = "AddCheckpointAsync_Several_ListedOldestFirstWithEveryField";

        var ex = await Assert.ThrowsAsync<TenantCatalogContractException>(() =>
            TenantCatalogContract.RunAsync(name, Broken(r => r, checkpointsNewestFirst: true)));

        Assert.Equal(name, ex.CaseName);
        Assert.Contains("ids, oldest first", ex.Message, StringComparison.Ordinal);
    }

    private static ITenantCatalogContractTarget Broken(Func<TenantRecord, TenantRecord> onUpdate, bool ignoreVersions = false, bool checkpointsNewestFirst = false)
    {
        // Every "instance" wraps one in-memory catalog: the data is shared, as the contract requires.
        InMemoryTenantCatalog? shared = null;
        return TenantCatalogContract.Target(time => new BreakingCatalog(shared ??= new InMemoryTenantCatalog(time), onUpdate, ignoreVersions, checkpointsNewestFirst));
    }

    /// <summary>The in-memory catalog with one defect: it changes what it stores, or accepts any version.</summary>
    private sealed class BreakingCatalog(InMemoryTenantCatalog inner, Func<TenantRecord, TenantRecord> onUpdate, bool ignoreVersions, bool checkpointsNewestFirst = false)
        : ITenantCatalog, IDisposable
    {
        public bool Disposed { get; private set; }

        public Task<TenantReservationResult> ReserveAsync(TenantReservation reservation, CancellationToken cancellationToken = default) =>
            inner.ReserveAsync(reservation, cancellationToken);

        public Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default) => inner.GetAsync(tenantId, cancellationToken);

        public Task<TenantPage> ListAsync(TenantQuery query, CancellationToken cancellationToken = default) => inner.ListAsync(query, cancellationToken);

        public async Task<TenantRecord> UpdateAsync(TenantRecord record, CancellationToken cancellationToken = default)
        {
            if (ignoreVersions && await inner.GetAsync(record.TenantId, cancellationToken) is { } current)
            {
                record = record with { Version = current.Version };
            }

            return await inner.UpdateAsync(onUpdate(record), cancellationToken);
        }

        public Task<bool> RemoveAsync(TenantId tenantId, CancellationToken cancellationToken = default) => inner.RemoveAsync(tenantId, cancellationToken);

        public IDisposable SubscribeToChanges(Action<TenantChange> handler) => inner.SubscribeToChanges(handler);

        public Task<TenantCheckpoint> AddCheckpointAsync(TenantCheckpoint checkpoint, CancellationToken cancellationToken = default) =>
            inner.AddCheckpointAsync(checkpoint, cancellationToken);

        public async Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default)
        {
            var checkpoints = await inner.GetCheckpointsAsync(tenantId, cancellationToken);
            return checkpointsNewestFirst ? [.. checkpoints.Reverse()] : checkpoints;
        }

        public Task<bool> RemoveCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default) =>
            inner.RemoveCheckpointAsync(tenantId, checkpointId, cancellationToken);

        public void Dispose() => Disposed = true;
    }

    private sealed class ThrowingOnGetCatalog : ITenantCatalog
    {
        private readonly InMemoryTenantCatalog _inner = new();

        public Task<TenantReservationResult> ReserveAsync(TenantReservation reservation, CancellationToken cancellationToken = default) =>
            _inner.ReserveAsync(reservation, cancellationToken);

        public Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("get is broken");

        public Task<TenantPage> ListAsync(TenantQuery query, CancellationToken cancellationToken = default) => _inner.ListAsync(query, cancellationToken);

        public Task<TenantRecord> UpdateAsync(TenantRecord record, CancellationToken cancellationToken = default) => _inner.UpdateAsync(record, cancellationToken);

        public Task<bool> RemoveAsync(TenantId tenantId, CancellationToken cancellationToken = default) => _inner.RemoveAsync(tenantId, cancellationToken);

        public IDisposable SubscribeToChanges(Action<TenantChange> handler) => _inner.SubscribeToChanges(handler);

        public Task<TenantCheckpoint> AddCheckpointAsync(TenantCheckpoint checkpoint, CancellationToken cancellationToken = default) =>
            _inner.AddCheckpointAsync(checkpoint, cancellationToken);

        public Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
            _inner.GetCheckpointsAsync(tenantId, cancellationToken);

        public Task<bool> RemoveCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default) =>
            _inner.RemoveCheckpointAsync(tenantId, checkpointId, cancellationToken);
    }
}
