using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// Every case of <see cref="WarmPoolStoreContract"/> against real PostgreSQL (one database per class, one catalog schema per
/// case, created by the first call), the concurrency case through two instances; then the schema upgrade from version 5.
/// </summary>
public sealed class PostgresWarmPoolStoreTests(PostgresDatabaseFixture database) : WarmPoolStoreContract, IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _schema = PostgresDatabaseFixture.NewSchema();
    private readonly List<PostgresTenantCatalog> _catalogs = [];

    public override async Task DisposeAsync()
    {
        foreach (var catalog in _catalogs)
        {
            await catalog.DisposeAsync();
        }
    }

    /// <summary>A store over a catalog instance of its own (its own data source), on the case's schema.</summary>
    private protected override (ITenantCatalog Catalog, IWarmPoolStore Store) Create(TimeProvider time)
    {
        var catalog = NewCatalog(_schema, time);
        return (catalog, new PostgresWarmPoolStore(catalog));
    }

    private protected override Task WhenChangeFeedReadyAsync(ITenantCatalog catalog) => ((PostgresTenantCatalog)catalog).WhenListeningAsync(CancellationToken.None);

    /// <summary>The case's store and a second instance's, as two application instances sharing the catalog.</summary>
    private protected override IReadOnlyList<IWarmPoolStore> ConcurrentStores() => [Store, Create(Time).Store];

    [Fact]
    public async Task Initialize_CatalogAtVersion5WithATenant_UpgradesToVersion6AndAClaimBindsTheOldTenant()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await CreateAtVersion5Async(schema);
        await database.ScalarAsync<object>(
            $"INSERT INTO \"{schema}\".tenants (tenant_id, state, plan, project_name, created_at, updated_at, row_version) " +
            "VALUES ('old-tenant', 'provisioning', 'pro', 'app-old-tenant', now(), now(), 1)");
        var catalog = NewCatalog(schema, Time);
        var store = new PostgresWarmPoolStore(catalog);

        var added = await store.AddAsync(Entry("e1"));
        var old = (await catalog.GetAsync(TenantId.Parse("old-tenant")))!;
        var claim = await store.ClaimAsync(Request(old));

        Assert.Equal(6, await database.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        Assert.Equal((added.Id, old.TenantId), (claim!.Entry.Id, claim.Entry.ClaimedBy));
        Assert.Equal((added.ProjectId, 2L), (claim.Record.ProjectId, claim.Record.Version));
        Assert.Equal(claim.Record, await catalog.GetAsync(old.TenantId));
    }

    [Fact]
    public async Task Initialize_TenInstancesAtOnceOverAVersion5Catalog_UpgradeOnceToVersion6()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await CreateAtVersion5Async(schema);
        var stores = Enumerable.Range(0, 10).Select(_ => new PostgresWarmPoolStore(NewCatalog(schema, Time))).ToList();

        var lists = await Task.WhenAll(stores.Select(s => Task.Run(() => s.ListAsync()))).WaitAsync(Timeout);

        Assert.All(lists, Assert.Empty);
        Assert.Equal(6L, await database.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version"));
        Assert.Equal(6, await database.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        await stores[3].AddAsync(Entry("e1"));
        Assert.Equal(["e1"], (await stores[7].ListAsync()).Select(e => e.Id));
    }

    [Fact]
    public async Task Schema_ClaimIndexAndOneClaimPerTenant_AsDeclared()
    {
        await Store.ListAsync();

        var claimIndex = await database.ScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'warm_pool_claim_idx'", _schema);
        var claimedBy = await database.ScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'warm_pool_claimed_by_idx'", _schema);

        Assert.Contains("(state, region, plan_class, created_at, entry_id)", claimIndex, StringComparison.Ordinal);
        Assert.Contains("UNIQUE", claimedBy, StringComparison.Ordinal);
        Assert.Contains("WHERE (claimed_by IS NOT NULL)", claimedBy, StringComparison.Ordinal);
    }

    private PostgresTenantCatalog NewCatalog(string schema, TimeProvider time)
    {
        var catalog = database.CreateCatalog(schema, time);
        _catalogs.Add(catalog);
        return catalog;
    }

    /// <summary>The catalog schema as version 5 of the package left it (migrations 1 to 5 and their version rows).</summary>
    private async Task CreateAtVersion5Async(string schema)
    {
        var sql = new PostgresCatalogSql(schema);
        await database.ScalarAsync<object>(sql.CreateSchema);
        await database.ScalarAsync<object>(sql.CreateVersionTable);
        for (var version = 1; version <= 5; version++)
        {
            foreach (var statement in sql.Migrations[version - 1])
            {
                await database.ScalarAsync<object>(statement);
            }

            await database.ScalarAsync<object>($"INSERT INTO \"{schema}\".schema_version VALUES ({version}, now())");
        }

        Assert.False(await database.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", $"\"{schema}\".warm_pool"));
    }
}
