using Neon.Tenancy.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Catalog;

public sealed class PostgresTenantCatalogTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ChangeFeed_ListenerBackendTerminated_ReconnectsAndDeliversLaterChange()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var writer = database.CreateCatalog(schema);
        await using var reader = database.CreateCatalog(schema);
        using var changes = new TenantChangeProbe(reader);
        await reader.WhenListeningAsync(CancellationToken.None).WaitAsync(Timeout);
        await changes.WaitForAsync(c => c.Kind == TenantChangeKind.Reset);
        var pid = reader.ListenerProcessId;
        Assert.NotNull(pid);

        Assert.True(await database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", pid.Value));
        await changes.WaitForAsync(c => c.Kind == TenantChangeKind.Reset, Timeout);
        await writer.ReserveAsync(new TenantReservation { TenantId = TenantId.Parse("after-drop"), Plan = "free" });

        var change = await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("after-drop"), Timeout);
        Assert.Equal(TenantChangeKind.Reserved, change.Kind);
        Assert.NotEqual(pid, reader.ListenerProcessId);
    }

    [Fact]
    public async Task InitializeAsync_TenInstancesAtOnce_CreateSchemaOnceAtLatestVersion()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        var catalogs = Enumerable.Range(0, 10).Select(_ => database.CreateCatalog(schema)).ToList();
        try
        {
            await Task.WhenAll(catalogs.Select(c => Task.Run(() => c.InitializeAsync()))).WaitAsync(Timeout);
            await catalogs[0].InitializeAsync();
            await using var later = database.CreateCatalog(schema);
            await later.InitializeAsync();

            var latest = new PostgresCatalogSql(schema).LatestVersion;
            Assert.Equal(6, latest);
            Assert.Equal((long)latest, await database.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".schema_version"));
            Assert.Equal(latest, await database.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        }
        finally
        {
            foreach (var catalog in catalogs)
            {
                await catalog.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task InitializeAsync_CatalogAtVersion1WithData_UpgradesToLatestKeepingRowsAndStoresNewFields()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        var sql = new PostgresCatalogSql(schema);
        await database.ScalarAsync<object>(sql.CreateSchema);
        await database.ScalarAsync<object>(sql.CreateVersionTable);
        foreach (var statement in sql.Migrations[0])
        {
            await database.ScalarAsync<object>(statement);
        }

        await database.ScalarAsync<object>($"INSERT INTO \"{schema}\".schema_version VALUES (1, now())");
        await database.ScalarAsync<object>(
            $"INSERT INTO \"{schema}\".tenants (tenant_id, state, plan, project_id, pooled_secret, direct_secret, created_at, updated_at, row_version) " +
            "VALUES ('old-tenant', 'ready', 'pro', 'p-old', '\\x0102'::bytea, '\\x0304'::bytea, now(), now(), 3)");
        await using var catalog = database.CreateCatalog(schema);
        using var changes = new TenantChangeProbe(catalog);
        await catalog.WhenListeningAsync(CancellationToken.None).WaitAsync(Timeout);

        var old = (await catalog.GetAsync(TenantId.Parse("old-tenant")))!;

        Assert.Equal(sql.LatestVersion, await database.ScalarAsync<int>($"SELECT max(version) FROM \"{schema}\".schema_version"));
        Assert.Equal((TenantState.Ready, "pro", "p-old", 3L), (old.State, old.Plan, old.ProjectId, old.Version));
        Assert.Equal(new byte[] { 1, 2 }, old.PooledConnectionSecret.ToArray());
        Assert.Null(old.ApplicationRoleName);
        Assert.True(old.ApplicationPooledConnectionSecret.IsEmpty);
        Assert.Null(old.FailureReason);
        Assert.Null(old.RecoverableUntil);
        Assert.Null(old.Settings);

        var until = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var updated = await catalog.UpdateAsync(old with
        {
            State = TenantState.Deleted,
            ApplicationRoleName = "app",
            ApplicationPooledConnectionSecret = new byte[] { 5 },
            ApplicationDirectConnectionSecret = new byte[] { 6 },
            FailureReason = "Initialize: InvalidOperationException",
            RecoverableUntil = until,
            Settings = new TenantPlanSettings { MaxPoolSize = 7, AutoscalingMaxCu = 0.5, SuspendTimeout = System.Threading.Timeout.InfiniteTimeSpan, HistoryRetention = TimeSpan.FromDays(1) },
        });
        var change = await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("old-tenant") && c.Version == 4, Timeout);

        await using var second = database.CreateCatalog(schema);
        Assert.Equal(updated, await second.GetAsync(updated.TenantId));
        Assert.Equal(until, updated.RecoverableUntil);
        Assert.True(change.ConnectionChanged, "the upgraded trigger reports the application secrets as a connection change");
        Assert.Equal(7, (await second.GetAsync(updated.TenantId))!.Settings!.MaxPoolSize);

        // The tenant's own settings alone changing is a plan change (the connection layer re-reads the pool size).
        await catalog.UpdateAsync(updated with { Settings = updated.Settings! with { MaxPoolSize = 9 } });
        var settingsChange = await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("old-tenant") && c.Version == 5, Timeout);
        Assert.True(settingsChange.PlanChanged);
        Assert.False(settingsChange.ConnectionChanged);

        // Version 4's checkpoints table works for a tenant that predates it, and goes with the tenant.
        var checkpoint = await catalog.AddCheckpointAsync(new TenantCheckpoint
        {
            TenantId = old.TenantId, Id = "snap-1", Name = "before upgrade", CreatedAt = until, Metadata = new Dictionary<string, string> { ["v"] = "1" },
        });
        Assert.Equal([checkpoint], await second.GetCheckpointsAsync(old.TenantId));
        Assert.True(await catalog.RemoveAsync(old.TenantId));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM \"{schema}\".checkpoints"));

        // Version 5's fleet ledger tables exist, and the ledger over the upgraded catalog records and claims a run (of a
        // tenant removed from the catalog: a run does not reference tenants).
        Assert.True(await database.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", $"\"{schema}\".fleet_runs"));
        Assert.True(await database.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", $"\"{schema}\".fleet_tenants"));
        var ledger = new PostgresFleetLedger(catalog);
        await ledger.CreateRunAsync(new FleetLedgerRun("run-1", "migrate", 1, FleetRunState.Running, null, default, default), [new FleetLedgerEntry(old.TenantId, 0, FleetTenantState.Pending)], default);
        Assert.Equal([old.TenantId], (await ledger.ClaimAsync("run-1", "o1", 5, TimeSpan.FromMinutes(1), default)).Select(e => e.TenantId));
    }

    [Fact]
    public async Task InitializeAsync_SchemaNewerThanPackage_FailsWithClearMessage()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using (var first = database.CreateCatalog(schema))
        {
            await first.InitializeAsync();
        }

        await database.ScalarAsync<object>($"INSERT INTO \"{schema}\".schema_version VALUES (99, now())");
        await using var catalog = database.CreateCatalog(schema);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => catalog.GetAsync(TenantId.Parse("acme")));
        Assert.Contains("version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReserveAsync_SqlInValues_IsStoredVerbatimNotExecuted()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var catalog = database.CreateCatalog(schema);
        const string Plan = "pro'); DROP TABLE tenants; --";
        const string Region = "\"; SELECT pg_sleep(10); --";

        var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = TenantId.Parse("acme"), Plan = Plan, Region = Region })).Record;

        Assert.Equal(Plan, record.Plan);
        Assert.Equal(Region, (await catalog.GetAsync(record.TenantId))!.Region);
        Assert.Single((await catalog.ListAsync(new TenantQuery { Plan = Plan })).Items);
    }

    [Fact]
    public async Task Logs_FullLifecycle_NeverContainSecrets()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        var collector = new FakeLogCollector();
        var logger = new FakeLogger<PostgresTenantCatalog>(collector);
        await using var catalog = database.CreateCatalog(schema, logger: logger);
        var protector = SecretsTestData.CreateProtector();
        const string Password = "s3cr3t-Pa55word";
        var id = TenantId.Parse("acme");
        var pooled = protector.Protect(id, ConnectionSecretKind.Pooled, $"Host=ep-x-pooler;Password={Password}");

        var record = (await catalog.ReserveAsync(new TenantReservation { TenantId = id, Plan = "free" })).Record;
        await catalog.UpdateAsync(record with { PooledConnectionSecret = pooled });
        await Assert.ThrowsAsync<TenantConcurrencyException>(() => catalog.UpdateAsync(record));
        await catalog.RemoveAsync(id);

        var logs = collector.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.Contains(logs, l => l.Message.Contains("acme", StringComparison.Ordinal));
        Assert.All(logs, l =>
        {
            var text = l.Message + string.Join(",", l.StructuredState?.Select(p => p.Value) ?? []);
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(pooled), text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task StopListeningAsync_ThenDispose_ClosesListenerConnection()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        var catalog = database.CreateCatalog(schema);
        catalog.StartListening();
        await catalog.WhenListeningAsync(CancellationToken.None).WaitAsync(Timeout);
        var pid = catalog.ListenerProcessId!.Value;

        await catalog.StopListeningAsync().WaitAsync(Timeout);
        await catalog.DisposeAsync();
        await catalog.DisposeAsync();

        Assert.Null(catalog.ListenerProcessId);
        var deadline = DateTime.UtcNow + Timeout;
        while (await database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the listener's backend is still connected");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("U|5|ready|010|acme|pro|plus", TenantChangeKind.Updated, 5L, "pro|plus")]
    [InlineData("R|1|provisioning|111|a|free", TenantChangeKind.Reserved, 1L, "free")]
    [InlineData("D|9|deleted|101|t-1|", TenantChangeKind.Removed, 9L, "")]
    public void TryParseNotification_WellFormed_Parses(string payload, TenantChangeKind kind, long version, string plan)
    {
        Assert.True(PostgresTenantCatalog.TryParseNotification(payload, out var change));
        Assert.Equal((kind, version, plan), (change.Kind, change.Version, change.Plan));
    }

    [Theory]
    [InlineData("")]
    [InlineData("X|1|ready|000|acme|free")]
    [InlineData("U|x|ready|000|acme|free")]
    [InlineData("U|1|bogus|000|acme|free")]
    [InlineData("U|1|ready|00|acme|free")]
    [InlineData("U|1|ready|000|ACME|free")]
    [InlineData("U|1|ready|000|acme")]
    public void TryParseNotification_Malformed_ReturnsFalse(string payload)
    {
        Assert.False(PostgresTenantCatalog.TryParseNotification(payload, out _));
    }

    [Fact]
    public async Task Operations_UnreachableServer_ThrowNpgsqlException()
    {
        var options = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 };
        await using var catalog = database.CreateCatalog(PostgresDatabaseFixture.NewSchema(), configure: o => o.ConnectionString = options.ConnectionString);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => catalog.GetAsync(TenantId.Parse("acme")));
    }

    [Fact]
    public async Task DataSources_CatalogListenerAndLock_LogThroughTheHostsLoggerFactory()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        var log = new Connections.LogEvents();
        await using var catalog = database.CreateCatalog(schema, loggerFactory: log.Factory);
        using var subscription = catalog.SubscribeToChanges(static _ => { }); // starts the listener
        await catalog.WhenListeningAsync(CancellationToken.None).WaitAsync(Timeout);
        await catalog.GetAsync(TenantId.Parse("logged"));
        var catalogEvents = log.Events.Count(e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal));

        await using (var locks = new PostgresAdvisoryLocks(database.ConnectionString, schema, log.Factory))
        {
            await using var held = await new PostgresAdvisoryTenantLock(locks).AcquireAsync(TenantId.Parse("logged"), CancellationToken.None);
        }

        Assert.True(catalogEvents > 0, "the catalog's and listener's Npgsql data sources logged nothing to the given factory");
        Assert.True(log.Events.Count(e => e.Category.StartsWith("Npgsql", StringComparison.Ordinal)) > catalogEvents, "the tenant lock's data source logged nothing");
    }
}
