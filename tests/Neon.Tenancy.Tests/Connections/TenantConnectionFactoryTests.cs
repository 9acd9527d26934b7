using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Neon.Tenancy.Tests.Connections.TenantDatabasesFixture;

namespace Neon.Tenancy.Tests.Connections;

[Collection(TenantDatabasesCollection.Name)]
public sealed class TenantConnectionFactoryTests(TenantDatabasesFixture db)
{
    [Fact]
    public async Task OpenConnectionAsync_EveryTenantAndKind_LandsInTheTenantsOwnDatabase()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector);

        for (var i = 0; i < TenantDatabasesFixture.TenantCount; i++)
        {
            foreach (var kind in new[] { TenantConnectionKind.Pooled, TenantConnectionKind.Direct })
            {
                await using var connection = await factory.OpenConnectionAsync(db.Tenant(i), kind);
                Assert.Equal(db.DatabaseName(i), await CurrentDatabaseAsync(connection));
            }
        }
    }

    [Fact]
    public async Task OpenConnectionAsync_PostgresUriSecret_IsConverted()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var admin = new NpgsqlConnectionStringBuilder(TestPostgres.AdminConnectionString);
        var uri = $"postgresql://{Uri.EscapeDataString(admin.Username!)}:{Uri.EscapeDataString(admin.Password!)}@{admin.Host}:{admin.Port}/{db.DatabaseName(3)}?sslmode=disable&application_name=uri-test";
        var id = TenantId.Parse("uri-tenant");
        await AddReadyTenantAsync(catalog, protector, id, uri, uri);
        await using var factory = CreateFactory(catalog, protector);

        await using var connection = await factory.OpenConnectionAsync(id, TenantConnectionKind.Direct);
        await using var command = new NpgsqlCommand("SELECT current_database() || '/' || current_setting('application_name')", connection);

        Assert.Equal($"{db.DatabaseName(3)}/uri-test", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task GetDataSourceAsync_PooledKind_IsTunedForPgBouncerAndNamedForMetrics()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector, o =>
        {
            o.MaxPoolSize = 7;
            o.ConnectionIdleLifetime = TimeSpan.FromSeconds(20);
            o.ConnectTimeout = TimeSpan.FromSeconds(12);
        });

        var pooled = new NpgsqlConnectionStringBuilder((await factory.GetDataSourceAsync(db.Tenant(0))).ConnectionString);
        var direct = new NpgsqlConnectionStringBuilder((await factory.GetDataSourceAsync(db.Tenant(0), TenantConnectionKind.Direct)).ConnectionString);

        Assert.True(pooled.NoResetOnClose);
        Assert.False(direct.NoResetOnClose);
        Assert.Equal(7, pooled.MaxPoolSize);
        Assert.Equal(0, pooled.MinPoolSize);
        Assert.Equal(20, pooled.ConnectionIdleLifetime);
        Assert.Equal(12, pooled.Timeout);
        Assert.Equal(db.DatabaseName(0), pooled.Database);
    }

    [Fact]
    public async Task OpenConnectionAsync_RepeatedOpens_BuildOneDataSourceAndReadTheCatalogOnce()
    {
        var (inner, protector) = await db.CreateCatalogAsync();
        var catalog = new CountingCatalog(inner);
        await using var factory = CreateFactory(catalog, protector);

        for (var i = 0; i < 20; i++)
        {
            await using var connection = await factory.OpenConnectionAsync(db.Tenant(1));
        }

        Assert.Equal(1, catalog.Reads);
        Assert.Equal(1, factory.BuiltDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_ConcurrentMisses_ShareOneBuild()
    {
        var (inner, protector) = await db.CreateCatalogAsync();
        var catalog = new CountingCatalog(inner, holdReads: true);
        await using var factory = CreateFactory(catalog, protector);

        // Each call runs up to its wait for the build in flight before returning: all 32 have joined it when the
        // catalog read is let go.
        var opens = Enumerable.Range(0, 32).Select(_ => factory.OpenConnectionAsync(db.Tenant(2)).AsTask()).ToList();
        Assert.All(opens, o => Assert.False(o.IsCompleted));
        catalog.ReleaseReads();

        // Each connection is used and closed as soon as its open completes: 32 opens on a pool of 20 leave 12 waiting in
        // Npgsql's pool, and closing in list order instead would starve a waiter whenever the pool serves a later one first.
        var databases = await Task.WhenAll(opens.Select(async open =>
        {
            await using var connection = await open;
            return await CurrentDatabaseAsync(connection);
        }));

        Assert.All(databases, d => Assert.Equal(db.DatabaseName(2), d));
        Assert.Equal(1, catalog.Reads);
        Assert.Equal(1, factory.BuiltDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_MoreTenantsThanCapacity_KeepsTheCacheBoundedAndDisposesEvictedSources()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector, o => o.Capacity = 3);

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < TenantDatabasesFixture.TenantCount; i++)
            {
                await using var connection = await factory.OpenConnectionAsync(db.Tenant(i));
                Assert.Equal(db.DatabaseName(i), await CurrentDatabaseAsync(connection));
                Assert.True(factory.CachedCount <= 3, $"cache holds {factory.CachedCount}");
            }
        }

        // Every evicted source had its connection closed, so none is left alive beyond the cached ones.
        Assert.True(factory.BuiltDataSources > 3);
        Assert.Equal(factory.CachedCount, factory.AliveDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_SourceEvictedWhileAConnectionIsOpen_ConnectionFinishesAndClosesCleanly()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector, o => o.Capacity = 3);

        var held = await factory.OpenConnectionAsync(db.Tenant(4));
        var entry = factory.PeekEntry(db.Tenant(4), TenantConnectionKind.Pooled)!;
        // Other tenants, each used twice (BitFaster's LRU protects entries hit more than once), push tenant 4 out.
        for (var round = 0; round < 10 && !entry.IsRetired; round++)
        {
            for (var i = 5; i < TenantDatabasesFixture.TenantCount; i++)
            {
                for (var twice = 0; twice < 2; twice++)
                {
                    await using var other = await factory.OpenConnectionAsync(db.Tenant(i));
                    Assert.Equal(db.DatabaseName(i), await CurrentDatabaseAsync(other));
                }
            }
        }

        Assert.Null(factory.PeekEntry(db.Tenant(4), TenantConnectionKind.Pooled));
        Assert.True(entry.IsRetired);
        Assert.False(entry.IsDisposed);

        // The connection opened before the eviction keeps working, inside a transaction too.
        await using (var tx = await held.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM generate_series(1, 1000)", held, tx);
            Assert.Equal(1000L, await command.ExecuteScalarAsync());
            await tx.CommitAsync();
        }

        Assert.Equal(db.DatabaseName(4), await CurrentDatabaseAsync(held));
        await held.DisposeAsync();

        Assert.True(entry.IsDisposed);
        Assert.Equal(factory.CachedCount, factory.AliveDataSources);

        // And the tenant is served again by a new source.
        await using var again = await factory.OpenConnectionAsync(db.Tenant(4));
        Assert.Equal(db.DatabaseName(4), await CurrentDatabaseAsync(again));
    }

    [Fact]
    public async Task OpenConnectionAsync_AfterIdleExpiry_SourceIsDisposed_NotBefore()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = CreateFactory(catalog, protector, o => o.IdleExpiry = TimeSpan.FromSeconds(4), time);

        await using (var connection = await factory.OpenConnectionAsync(db.Tenant(6)))
        {
            Assert.Equal(db.DatabaseName(6), await CurrentDatabaseAsync(connection));
        }

        // Ticks every second (a quarter of the expiry), one tick per step: the first turns the open into the last use,
        // so the entry goes between 4 and 4 + 2 ticks after the open.
        for (var second = 1; second <= 4; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(1, factory.AliveDataSources);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, factory.AliveDataSources);
        Assert.Equal(0, factory.CachedCount);
    }

    [Theory]
    [InlineData(TenantState.Provisioning)]
    [InlineData(TenantState.Deleting)]
    [InlineData(TenantState.Failed)]
    public async Task OpenConnectionAsync_TenantNotReady_ThrowsTypedExceptionNamingTheState(TenantState state)
    {
        var catalog = new InMemoryTenantCatalog();
        var protector = SecretsTestData.CreateProtector();
        var id = TenantId.Parse("not-ready");
        await AddReadyTenantAsync(catalog, protector, id, db.ConnectionString(0), db.ConnectionString(0), state);
        await using var factory = CreateFactory(catalog, protector);

        var error = await Assert.ThrowsAsync<TenantStateException>(async () => await factory.OpenConnectionAsync(id));

        Assert.Equal(state, error.State);
        Assert.Equal("connect", error.Operation);
        Assert.Equal(id, error.TenantId);
        Assert.Contains(state.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(0, factory.AliveDataSources);
    }

    [Fact]
    public async Task OpenConnectionAsync_ReadyWithoutSecret_ThrowsStateExceptionNamingTheMissingSecret()
    {
        var catalog = new InMemoryTenantCatalog();
        var id = TenantId.Parse("no-secret");
        var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = id, Plan = "free" })).Record;
        await catalog.UpdateAsync(record with { State = TenantState.Ready });
        await using var factory = CreateFactory(catalog, SecretsTestData.CreateProtector());

        var pooled = await Assert.ThrowsAsync<TenantStateException>(async () => await factory.OpenConnectionAsync(id));
        var direct = await Assert.ThrowsAsync<TenantStateException>(async () => await factory.OpenConnectionAsync(id, TenantConnectionKind.Direct));

        Assert.Equal((TenantState.Ready, "connect"), (pooled.State, pooled.Operation));
        Assert.Contains("no pooled connection secret", pooled.Message, StringComparison.Ordinal);
        Assert.Contains("no direct connection secret", direct.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenConnectionAsync_UnknownTenant_ThrowsNotFound()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector);

        await Assert.ThrowsAsync<TenantNotFoundException>(async () => await factory.OpenConnectionAsync(TenantId.Parse("nobody")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OpenConnectionAsync_PasswordRotated_NextOpenSucceeds(bool changeFeedUp)
    {
        var role = $"{db.Prefix}_role_{(changeFeedUp ? "feed" : "nofeed")}";
        await AdminAsync($"CREATE ROLE \"{role}\" LOGIN PASSWORD 'old-password-1'");
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString(11)) { Username = role, Password = "old-password-1" };
        var inner = new InMemoryTenantCatalog();
        var protector = SecretsTestData.CreateProtector();
        var id = TenantId.Parse($"rotating-{(changeFeedUp ? "feed" : "nofeed")}");
        await AddReadyTenantAsync(inner, protector, id, builder.ConnectionString, builder.ConnectionString);
        var catalog = new CountingCatalog(inner, feed: changeFeedUp);
        await using var factory = CreateFactory(catalog, protector);
        await using (var first = await factory.OpenConnectionAsync(id))
        {
            Assert.Equal(db.DatabaseName(11), await CurrentDatabaseAsync(first));
        }

        // Another instance rotates the password: in the database, then in the catalog.
        await AdminAsync($"ALTER ROLE \"{role}\" PASSWORD 'new-password-2'");
        builder.Password = "new-password-2";
        var record = (await inner.GetAsync(id))!;
        await inner.UpdateAsync(record with { PooledConnectionSecret = protector.Protect(id, ConnectionSecretKind.Pooled, builder.ConnectionString) });

        // Without the feed the cached source still has the old password; its idle connection would hide that, so drop it.
        factory.PeekEntry(id, TenantConnectionKind.Pooled)?.DataSource.Clear();
        await using var next = await factory.OpenConnectionAsync(id);

        Assert.Equal(db.DatabaseName(11), await CurrentDatabaseAsync(next));
        Assert.Equal(2, catalog.Reads);
        await next.CloseAsync();
        await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'");
    }

    [Fact]
    public async Task OpenConnectionAsync_WrongPasswordEvenAfterReload_ThrowsThePostgresError()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString(0)) { Password = "definitely-wrong" };
        var id = TenantId.Parse("wrong-password");
        await AddReadyTenantAsync(catalog, protector, id, builder.ConnectionString, builder.ConnectionString);
        await using var factory = CreateFactory(catalog, protector);

        var error = await Assert.ThrowsAsync<PostgresException>(async () => await factory.OpenConnectionAsync(id));

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        Assert.DoesNotContain("definitely-wrong", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDataSourceAsync_EvictedAfterHandOut_StaysUsableForTheGracePeriodThenIsDisposed()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = CreateFactory(catalog, protector, o =>
        {
            o.RetiredDataSourceGracePeriod = TimeSpan.FromMinutes(5);
            o.MaxPoolSize = 4;
            o.ConnectionBudget = 10;
        }, time);
        var id = db.Tenant(2);

        var dataSource = await factory.GetDataSourceAsync(id);
        Assert.Equal(10, factory.FreeBudget); // A handed-out source holds no slot of the budget.
        factory.Evict(id);
        time.Advance(TimeSpan.FromMinutes(4));

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal(db.DatabaseName(2), await command.ExecuteScalarAsync());
        }

        Assert.Equal(1, factory.AliveDataSources);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(0, factory.AliveDataSources);
        Assert.Equal(10, factory.FreeBudget);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
    }

    [Fact]
    public async Task GetDataSourceAsync_ForMoreTenantsThanTheBudgetCoversPools_ReturnsAtOnce_AndOpenConnectionAsyncIsNotStarved()
    {
        var (catalog, protector) = await db.CreateCatalogAsync();
        await using var factory = CreateFactory(catalog, protector, o =>
        {
            o.MaxPoolSize = 4;
            o.ConnectionBudget = 4;
            o.BudgetWaitTimeout = TimeSpan.Zero; // any wait for the budget fails at once
        });
        await using var held = await factory.OpenConnectionAsync(db.Tenant(0));

        // Three hand-outs whose pools together are three times the budget, one connection open meanwhile.
        var sources = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => factory.GetDataSourceAsync(db.Tenant(i)).AsTask())).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, sources.Distinct().Count());
        Assert.Equal(3, factory.FreeBudget); // only the open connection holds a slot
        var others = new List<NpgsqlConnection>();
        for (var i = 4; i < 7; i++)
        {
            others.Add(await factory.OpenConnectionAsync(db.Tenant(i)));
        }

        Assert.All(others, c => Assert.Equal(System.Data.ConnectionState.Open, c.State));
        Assert.Equal(0, factory.FreeBudget);
        foreach (var connection in others)
        {
            await connection.DisposeAsync();
        }
    }
}
