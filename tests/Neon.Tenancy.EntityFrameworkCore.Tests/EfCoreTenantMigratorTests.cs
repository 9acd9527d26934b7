using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Neon.Tenancy.EntityFrameworkCore.Tests.Infrastructure;
using Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts;
using Npgsql;

namespace Neon.Tenancy.EntityFrameworkCore.Tests;

public sealed class EfCoreTenantMigratorTests(PostgresDatabaseFixture postgres) : IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private static readonly TenantId Tenant = TenantId.Parse("ef-acme");
    private static readonly string[] NotesMigrations = [CreateNotes.Id, AddNoteTag.Id, CreateTags.Id];
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory = LoggerFactory.Create(_ => { });

    private EfCoreTenantMigrator<NotesDb> NotesMigrator()
    {
        _loggerFactory.AddProvider(_logs);
        return new(options => new NotesDb(options), loggerFactory: _loggerFactory);
    }

    private static TenantMigrationContext Context(string connectionString, int recordedVersion = 0, int targetVersion = 3) =>
        new(Tenant, recordedVersion, targetVersion, connectionString);

    /// <summary>How many migrations EF Core started applying, by its log (MigrationApplying) since the last call.</summary>
    private int AppliedSinceLastCall()
    {
        var count = _logs.Collector.GetSnapshot(clear: true).Count(r => r.Id.Id == RelationalEventId.MigrationApplying.Id);
        return count;
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public void TargetVersion_IsTheNumberOfTheContextsMigrations()
    {
        Assert.Equal(3, NotesMigrator().TargetVersion);
        Assert.Equal(3, new EfCoreTenantMigrator<FailingDb>(options => new FailingDb(options)).TargetVersion);
    }

    [Fact]
    public async Task MigrateAsync_FreshDatabase_AppliesEveryMigration_ReturnsTargetVersion()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = NotesMigrator();

        var version = await migrator.MigrateAsync(Context(database), default);

        Assert.Equal(migrator.TargetVersion, version);
        Assert.Equal(3, AppliedSinceLastCall());
        Assert.Equal(NotesMigrations, await HistoryAsync(database));
        Assert.Equal(["__EFMigrationsHistory", "notes", "tags"], await TablesAsync(database));
        Assert.Equal(["body", "id", "tag"], await ColumnsAsync(database, "notes"));
    }

    [Fact]
    public async Task MigrateAsync_AlreadyAtTarget_AppliesNothing_ReturnsTarget()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = NotesMigrator();
        await migrator.MigrateAsync(Context(database), default);
        AppliedSinceLastCall();

        var again = await migrator.MigrateAsync(Context(database, recordedVersion: 3), default);

        Assert.Equal(3, again);
        Assert.Equal(0, AppliedSinceLastCall());
        Assert.Equal(NotesMigrations, await HistoryAsync(database));
    }

    [Fact]
    public async Task MigrateAsync_OnlyTheFirstApplied_AppliesTheRest()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = NotesMigrator();
        var first = await migrator.MigrateAsync(Context(database, targetVersion: 1), default);
        Assert.Equal(1, first);
        Assert.Equal([CreateNotes.Id], await HistoryAsync(database));
        Assert.Equal(["body", "id"], await ColumnsAsync(database, "notes"));
        AppliedSinceLastCall();

        var version = await migrator.MigrateAsync(Context(database, recordedVersion: 1), default);

        Assert.Equal(3, version);
        Assert.Equal(2, AppliedSinceLastCall());
        Assert.Equal(NotesMigrations, await HistoryAsync(database));
        Assert.Equal(["body", "id", "tag"], await ColumnsAsync(database, "notes"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseBeyondTheRequestedVersion_RevertsNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = NotesMigrator();
        await migrator.MigrateAsync(Context(database), default);

        var version = await migrator.MigrateAsync(Context(database, recordedVersion: 3, targetVersion: 1), default);

        Assert.Equal(3, version);
        Assert.Equal(NotesMigrations, await HistoryAsync(database));
        Assert.Contains("tags", await TablesAsync(database));
    }

    [Fact]
    public async Task MigrateAsync_AMigrationFails_Throws_TheOnesBeforeStayApplied_AndTheFailedOneLeavesNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = new EfCoreTenantMigrator<FailingDb>(options => new FailingDb(options));

        var ex = await Assert.ThrowsAsync<PostgresException>(() => migrator.MigrateAsync(Context(database), default));

        Assert.Equal(PostgresErrorCodes.DivisionByZero, ex.SqlState);
        Assert.Equal([CreateFirst.Id, CreateSecond.Id], await HistoryAsync(database));
        Assert.Equal(["__EFMigrationsHistory", "first", "second"], await TablesAsync(database));

        // Run again: the same failure, and the history still matches the schema.
        await Assert.ThrowsAsync<PostgresException>(() => migrator.MigrateAsync(Context(database, recordedVersion: 2), default));
        Assert.Equal([CreateFirst.Id, CreateSecond.Id], await HistoryAsync(database));
        Assert.Equal(["__EFMigrationsHistory", "first", "second"], await TablesAsync(database));
    }

    [Fact]
    public async Task MigrateAsync_ModelDiffersFromTheMigrationsSnapshot_ThrowsEfCoresPendingChanges_AndAppliesNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = new EfCoreTenantMigrator<DriftedDb>(options => new DriftedDb(options));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(Context(database, targetVersion: 1), default));

        Assert.Contains("PendingModelChangesWarning", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("drifted_start", await TablesAsync(database));
    }

    [Fact]
    public async Task MigrateAsync_HistoryNamesAMigrationThisBuildLacks_ThrowsNamingIt_AndAppliesNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = NotesMigrator();
        await migrator.MigrateAsync(Context(database, targetVersion: 1), default);
        const string Future = "20270101000000_FromANewerBuild";
        await PostgresDatabaseFixture.ScalarAsync<object>(database,
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ($1, '10.0.0')", Future);
        AppliedSinceLastCall();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(Context(database, recordedVersion: 1), default));

        Assert.Contains(Future, ex.Message, StringComparison.Ordinal);
        Assert.Contains("ef-acme", ex.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(NotesDb), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(database).Password!, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, AppliedSinceLastCall());
        Assert.Equal([CreateNotes.Id, Future], await HistoryAsync(database));
        Assert.DoesNotContain("tags", await TablesAsync(database));
    }

    [Fact]
    public async Task MigrateAsync_UsesOneConnectionFromOpenConnectionAsync_AndDisposesIt()
    {
        var database = await postgres.CreateDatabaseAsync();
        var migrator = NotesMigrator();
        var opened = new List<NpgsqlConnection>();
        var open = TenantMigrationContext.OpenUnpooled(database);
        // The connection string the context carries reaches nothing: every statement must go through OpenConnectionAsync.
        var context = new TenantMigrationContext(Tenant, 0, 3, "Host=unreachable.invalid;Username=nobody;Password=unused;Database=nothing",
            async cancellationToken =>
            {
                var connection = await open(cancellationToken);
                opened.Add(connection);
                return connection;
            });

        Assert.Equal(3, await migrator.MigrateAsync(context, default));
        Assert.Equal(3, await migrator.MigrateAsync(context, default));

        Assert.Equal(2, opened.Count);
        Assert.All(opened, connection => Assert.Equal(System.Data.ConnectionState.Closed, connection.State));
        Assert.Equal(NotesMigrations, await HistoryAsync(database));
    }

    [Fact]
    public async Task MigrateAsync_TargetAboveTheContextsMigrations_ThrowsWithoutConnecting()
    {
        var migrator = NotesMigrator();
        var opens = 0;
        var context = new TenantMigrationContext(Tenant, 0, 4, "Host=unreachable.invalid", _ =>
        {
            opens++;
            throw new InvalidOperationException("not to be called");
        });

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => migrator.MigrateAsync(context, default));

        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, opens);
    }

    private static async Task<List<string>> ListAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static Task<List<string>> HistoryAsync(string connectionString) =>
        ListAsync(connectionString, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1");

    private static Task<List<string>> TablesAsync(string connectionString) =>
        ListAsync(connectionString, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");

    private static Task<List<string>> ColumnsAsync(string connectionString, string table) =>
        ListAsync(connectionString, "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY 1", table);
}
