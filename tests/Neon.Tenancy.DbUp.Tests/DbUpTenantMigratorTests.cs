using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace Neon.Tenancy.DbUp.Tests;

public sealed class DbUpTenantMigratorTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task MigrateAsync_FreshDatabase_AppliesEveryScriptAndReturnsTheCount()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);

        var version = await migrator.MigrateAsync(tenant.Context(migrator.TargetVersion), CancellationToken.None);

        Assert.Equal(3, migrator.TargetVersion);
        Assert.Equal(3, version);
        Assert.Equal(
            [TenantSchema.NotesPrefix + "0001_create_notes.sql", TenantSchema.NotesPrefix + "0002_add_author.sql", TenantSchema.NotesPrefix + "0003_seed_notes.sql"],
            migrator.ScriptNames);
        Assert.Equal(migrator.ScriptNames, await tenant.JournalAsync());
        Assert.True(await tenant.ColumnExistsAsync("notes", "author"));
        Assert.Equal(2, await tenant.CountAsync("notes"));
        Assert.Equal(2, await tenant.NoteCountAsync()); // the function 0002 created with dollar quoting
    }

    [Fact]
    public async Task MigrateAsync_AtTheTarget_AppliesNothingAndLeavesTheJournalAsItWas()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);
        await migrator.MigrateAsync(tenant.Context(3), CancellationToken.None);
        var journal = await tenant.JournalRowsAsync();

        var version = await migrator.MigrateAsync(tenant.Context(3, recordedVersion: 3), CancellationToken.None);

        Assert.Equal(3, version);
        Assert.Equal(journal, await tenant.JournalRowsAsync());
        Assert.Equal(2, await tenant.CountAsync("notes")); // the seed script did not run twice
    }

    [Fact]
    public async Task MigrateAsync_AfterAnOlderBuild_AppliesTheRest()
    {
        var tenant = new TenantSchema(database);
        var older = tenant.Migrator(TenantSchema.NotesPrefix + "0001");
        var current = tenant.Migrator(TenantSchema.NotesPrefix);

        var first = await older.MigrateAsync(tenant.Context(older.TargetVersion), CancellationToken.None);
        var firstJournal = await tenant.JournalRowsAsync();
        var second = await current.MigrateAsync(tenant.Context(current.TargetVersion, recordedVersion: first), CancellationToken.None);

        Assert.Equal(1, older.TargetVersion);
        Assert.Equal(1, first);
        Assert.Equal(3, second);
        Assert.Equal(current.ScriptNames, await tenant.JournalAsync());
        Assert.StartsWith(firstJournal, await tenant.JournalRowsAsync(), StringComparison.Ordinal); // the first row is the older build's
        Assert.Equal(2, await tenant.CountAsync("notes"));
    }

    [Fact]
    public async Task MigrateAsync_ContextTargetBelowTheScripts_StopsAtIt()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);

        var version = await migrator.MigrateAsync(tenant.Context(targetVersion: 2), CancellationToken.None);

        Assert.Equal(2, version);
        Assert.Equal(migrator.ScriptNames.Take(2), await tenant.JournalAsync());
        Assert.Equal(0, await tenant.CountAsync("notes"));
        Assert.Equal(3, await migrator.MigrateAsync(tenant.Context(3, recordedVersion: 2), CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_ContextTargetAboveTheScripts_Throws()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => migrator.MigrateAsync(tenant.Context(targetVersion: 4), CancellationToken.None));

        Assert.Contains("4", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 scripts", error.Message, StringComparison.Ordinal);
        Assert.False(await tenant.TableExistsAsync(tenant.JournalTable));
    }

    [Fact]
    public async Task MigrateAsync_FailingScript_ThrowsNamingItAndLeavesNoTraceOfIt()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.FailingPrefix);

        var error = await Assert.ThrowsAsync<TenantScriptException>(() => migrator.MigrateAsync(tenant.Context(3), CancellationToken.None));

        var broken = TenantSchema.FailingPrefix + "0002_broken.sql";
        Assert.Equal(broken, error.ScriptName);
        Assert.Equal(TenantSchema.Tenant, error.TenantId);
        Assert.Equal(1, error.Version);
        Assert.Contains(broken, error.Message, StringComparison.Ordinal);
        Assert.Contains("42P01", error.Message, StringComparison.Ordinal); // PostgreSQL's undefined_table
        Assert.Contains("missing_table", error.Message, StringComparison.Ordinal);
        var postgres = Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, postgres.SqlState);
        Assert.False(error.IsTransient);
        // The first script is committed with its journal row; the failing one left nothing (its table, its row, its journal row).
        Assert.Equal([TenantSchema.FailingPrefix + "0001_create_items.sql"], await tenant.JournalAsync());
        Assert.True(await tenant.TableExistsAsync("items"));
        Assert.Equal(0, await tenant.CountAsync("items"));
        Assert.False(await tenant.TableExistsAsync("half_done"));
        Assert.False(await tenant.TableExistsAsync("never_runs"));
    }

    [Fact]
    public async Task MigrateAsync_FailingScriptAgain_FailsTheSameWayWithTheJournalUnchanged()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.FailingPrefix);
        await Assert.ThrowsAsync<TenantScriptException>(() => migrator.MigrateAsync(tenant.Context(3), CancellationToken.None));
        var journal = await tenant.JournalRowsAsync();

        var error = await Assert.ThrowsAsync<TenantScriptException>(() => migrator.MigrateAsync(tenant.Context(3, recordedVersion: 1), CancellationToken.None));

        Assert.Equal(TenantSchema.FailingPrefix + "0002_broken.sql", error.ScriptName);
        Assert.Equal(1, error.Version);
        Assert.Equal(journal, await tenant.JournalRowsAsync());
    }

    [Fact]
    public async Task MigrateAsync_JournalListsScriptsThisBuildDoesNotHave_ThrowsNamingThemAndRunsNothing()
    {
        var tenant = new TenantSchema(database);
        var older = tenant.Migrator(TenantSchema.NotesPrefix + "0001");
        var current = tenant.Migrator(TenantSchema.NotesPrefix);
        await older.MigrateAsync(tenant.Context(1), CancellationToken.None);
        // A newer build (with a script this one lacks) migrated the tenant in between.
        await tenant.ExecuteAsync(
            $"INSERT INTO \"{tenant.Name}\".\"{tenant.JournalTable}\" (scriptname, applied) VALUES ('{TenantSchema.NotesPrefix}0009_from_the_future.sql', now())");
        var journal = await tenant.JournalRowsAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => current.MigrateAsync(tenant.Context(3, recordedVersion: 1), CancellationToken.None));

        Assert.Contains($"'{TenantSchema.NotesPrefix}0009_from_the_future.sql'", error.Message, StringComparison.Ordinal);
        Assert.Contains("acme", error.Message, StringComparison.Ordinal);
        Assert.Contains(tenant.Name, error.Message, StringComparison.Ordinal); // the journal's schema
        Assert.DoesNotContain("0001_create_notes", error.Message, StringComparison.Ordinal); // known scripts are not listed
        Assert.Equal(journal, await tenant.JournalRowsAsync());
        Assert.False(await tenant.ColumnExistsAsync("notes", "author")); // 0002 did not run
    }

    [Fact]
    public async Task MigrateAsync_OlderBuildOnANewerTenant_ThrowsNamingTheScriptsItLacks()
    {
        var tenant = new TenantSchema(database);
        await tenant.Migrator(TenantSchema.NotesPrefix).MigrateAsync(tenant.Context(3), CancellationToken.None);
        var older = tenant.Migrator(TenantSchema.NotesPrefix + "0001");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => older.MigrateAsync(tenant.Context(1, recordedVersion: 3), CancellationToken.None));

        Assert.Contains("2 script(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{TenantSchema.NotesPrefix}0002_add_author.sql', '{TenantSchema.NotesPrefix}0003_seed_notes.sql'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_OpensOneConnectionThroughTheContextAndNoOther()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);
        var context = CountingContext.Create(tenant, targetVersion: 3);

        var version = await migrator.MigrateAsync(context.Context, CancellationToken.None);

        // DirectConnectionString has a wrong password: the migration succeeding shows nothing connected with it.
        Assert.Equal(3, version);
        Assert.Equal(1, context.Opens);
        Assert.Equal(migrator.ScriptNames, await tenant.JournalAsync());
        Assert.True(context.LastConnectionClosed);
    }

    [Fact]
    public async Task MigrateAsync_FailingScript_NamesNoSecretAndLogsNoSecret()
    {
        var tenant = new TenantSchema(database);
        var logger = new FakeLogger<DbUpTenantMigrator>();
        var migrator = new DbUpTenantMigrator(
            new DbUpMigrationOptions { JournalSchema = tenant.Name }.AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.FailingPrefix), logger);
        var context = CountingContext.Create(tenant, targetVersion: 3);

        var error = await Assert.ThrowsAsync<TenantScriptException>(() => migrator.MigrateAsync(context.Context, CancellationToken.None));

        var secrets = new[] { CountingContext.WrongPassword, tenant.Password }.Where(static secret => secret.Length > 0).ToList();
        var logs = logger.Collector.GetSnapshot();
        Assert.NotEmpty(logs);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(logs, record => record.Message.Contains(secret, StringComparison.Ordinal)
                || (record.Exception?.ToString().Contains(secret, StringComparison.Ordinal) ?? false));
        }

        // DbUp's own messages (its errors included) are at Debug; the failure is the exception's to tell.
        var dbUp = logs.Where(static record => record.Id.Id == DbUpMigrationEventId.DbUpMessage).ToList();
        Assert.NotEmpty(dbUp);
        Assert.All(dbUp, static record => Assert.Equal(LogLevel.Debug, record.Level));
        Assert.Contains(dbUp, record => record.Message.Contains("0002_broken.sql", StringComparison.Ordinal));
        Assert.All(logs, static record => Assert.True(record.Level <= LogLevel.Debug, $"{record.Level}: {record.Message}"));
    }

    [Fact]
    public async Task MigrateAsync_Applied_LogsOnceAtInformationThenAtDebugWhenCurrent()
    {
        var tenant = new TenantSchema(database);
        var logger = new FakeLogger<DbUpTenantMigrator>();
        var migrator = new DbUpTenantMigrator(
            new DbUpMigrationOptions { JournalSchema = tenant.Name }.AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix), logger);

        await migrator.MigrateAsync(tenant.Context(3), CancellationToken.None);
        await migrator.MigrateAsync(tenant.Context(3, recordedVersion: 3), CancellationToken.None);

        var logs = logger.Collector.GetSnapshot();
        var applied = Assert.Single(logs, static record => record.Id.Id == DbUpMigrationEventId.ScriptsApplied);
        Assert.Equal(LogLevel.Information, applied.Level);
        Assert.Equal("Applied 3 SQL script(s) to tenant acme: schema version 3 of 3", applied.Message);
        var current = Assert.Single(logs, static record => record.Id.Id == DbUpMigrationEventId.TenantCurrent);
        Assert.Equal(LogLevel.Debug, current.Level);
        Assert.DoesNotContain(logs, record => tenant.Password.Length > 0 && record.Message.Contains(tenant.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrateAsync_CanceledBeforehand_OpensNothing()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);
        var context = CountingContext.Create(tenant, targetVersion: 3);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migrator.MigrateAsync(context.Context, new CancellationToken(canceled: true)));

        Assert.Equal(0, context.Opens);
    }

    [Fact]
    public async Task MigrateAsync_CanceledWhileConnecting_StopsBeforeTheFirstScript()
    {
        var tenant = new TenantSchema(database);
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);
        using var cancellation = new CancellationTokenSource();
        var context = CountingContext.Create(tenant, targetVersion: 3, afterOpen: cancellation.Cancel);

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migrator.MigrateAsync(context.Context, cancellation.Token));

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Contains("0001_create_notes.sql", error.Message, StringComparison.Ordinal);
        Assert.Empty(await tenant.JournalAsync());
        Assert.False(await tenant.TableExistsAsync("notes"));
        Assert.True(context.LastConnectionClosed);
    }

    [Fact]
    public async Task MigrateAsync_CustomJournalTable_KeepsTheJournalThere()
    {
        var tenant = new TenantSchema(database) { JournalTable = "applied_scripts" };
        var migrator = tenant.Migrator(TenantSchema.NotesPrefix);

        await migrator.MigrateAsync(tenant.Context(3), CancellationToken.None);

        Assert.Equal(migrator.ScriptNames, await tenant.JournalAsync());
        Assert.False(await tenant.TableExistsAsync("schemaversions"));
    }

    [Fact]
    public async Task MigrateAsync_ScriptsFromAFolder_AreNamedByFileName()
    {
        var tenant = new TenantSchema(database);
        var folder = Directory.CreateTempSubdirectory("neon-dbup-tests-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "0002_second.sql"), "INSERT INTO from_folder (id) VALUES (1);");
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "0001_first.sql"), "CREATE TABLE from_folder (id integer);");
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "README.txt"), "not a script");
            var migrator = new DbUpTenantMigrator(new DbUpMigrationOptions { JournalSchema = tenant.Name }.AddScriptsFromFolder(folder.FullName));

            var version = await migrator.MigrateAsync(tenant.Context(migrator.TargetVersion), CancellationToken.None);

            Assert.Equal(2, version);
            Assert.Equal(["0001_first.sql", "0002_second.sql"], await tenant.JournalAsync());
            Assert.Equal(1, await tenant.CountAsync("from_folder"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A context whose connections come from a delegate that counts them (the SDK's own constructor, internal to
    /// Neon.Tenancy, reached by reflection), while its <see cref="TenantMigrationContext.DirectConnectionString"/> holds a
    /// wrong password: anything connecting with that string instead of <see cref="TenantMigrationContext.OpenConnectionAsync"/> fails.
    /// </summary>
    private sealed class CountingContext
    {
        public const string WrongPassword = "not-the-password-4f1c9a";

        private NpgsqlConnection? _last;
        private bool _lastClosed;

        public TenantMigrationContext Context { get; private set; } = null!;

        public int Opens { get; private set; }

        /// <summary>Whether the last connection handed out was closed by the time the migration returned.</summary>
        public bool LastConnectionClosed => _last is not null && _lastClosed;

        public static CountingContext Create(TenantSchema tenant, int targetVersion, Action? afterOpen = null)
        {
            var counting = new CountingContext();
            var unpooled = new NpgsqlConnectionStringBuilder(tenant.ConnectionString) { Pooling = false }.ConnectionString;
            var direct = new NpgsqlConnectionStringBuilder(tenant.ConnectionString) { Password = WrongPassword }.ConnectionString;
            Func<CancellationToken, ValueTask<NpgsqlConnection>> open = async cancellationToken =>
            {
                var connection = new NpgsqlConnection(unpooled);
                await connection.OpenAsync(cancellationToken);
                counting.Opens++;
                counting._last = connection;
                connection.StateChange += (_, change) => counting._lastClosed |= change.CurrentState == System.Data.ConnectionState.Closed;
                afterOpen?.Invoke();
                return connection;
            };
            counting.Context = new TenantMigrationContext(TenantSchema.Tenant, 0, targetVersion, direct, open);
            return counting;
        }
    }
}
