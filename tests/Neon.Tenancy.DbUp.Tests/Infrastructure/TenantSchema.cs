using System.Reflection;
using Neon.Tenancy.DbUp;
using Npgsql;

namespace Neon.Tenancy.DbUp.Tests.Infrastructure;

/// <summary>
/// One test's "tenant database": a schema of its own in the class's database (search_path points at it, the journal
/// lives in it), so the tests of a class share a database without sharing tables.
/// </summary>
internal sealed class TenantSchema(PostgresDatabaseFixture database)
{
    public const string NotesPrefix = "Neon.Tenancy.DbUp.Tests.Scripts.Notes.";
    public const string FailingPrefix = "Neon.Tenancy.DbUp.Tests.Scripts.Failing.";

    public static readonly Assembly Scripts = typeof(TenantSchema).Assembly;

    public static readonly TenantId Tenant = TenantId.Parse("acme");

    public string Name { get; } = PostgresDatabaseFixture.NewSchema();

    public string JournalTable { get; init; } = "schemaversions";

    /// <summary>The tenant's direct connection string: the class database, search_path at this schema.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = Name }.ConnectionString;

    /// <summary>The password of the test server's connection string (empty when it needs none).</summary>
    public string Password => new NpgsqlConnectionStringBuilder(database.ConnectionString).Password ?? string.Empty;

    public DbUpTenantMigrator Migrator(string prefix, Action<DbUpMigrationOptions>? configure = null)
    {
        var options = new DbUpMigrationOptions { JournalSchema = Name, JournalTable = JournalTable }.AddEmbeddedScripts(Scripts, prefix);
        configure?.Invoke(options);
        return new DbUpTenantMigrator(options);
    }

    /// <summary>A context the way a tool builds one (the public constructor): its connections come from the connection string.</summary>
    public TenantMigrationContext Context(int targetVersion, int recordedVersion = 0) =>
        new(Tenant, recordedVersion, targetVersion, ConnectionString);

    public async Task<IReadOnlyList<string>> JournalAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        if (!await TableExistsAsync(JournalTable))
        {
            return [];
        }

        await using var command = dataSource.CreateCommand($"SELECT scriptname FROM \"{Name}\".\"{JournalTable}\" ORDER BY schemaversionsid");
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The journal's rows as text (id, name, applied), to tell a rewritten journal from an untouched one.</summary>
    public async Task<string> JournalRowsAsync() =>
        await database.ScalarAsync<string>(
            $"SELECT coalesce(string_agg(schemaversionsid || ' ' || scriptname || ' ' || applied, E'\\n' ORDER BY schemaversionsid), '') FROM \"{Name}\".\"{JournalTable}\"")
        ?? string.Empty;

    public async Task<bool> TableExistsAsync(string table) =>
        await database.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2)", Name, table);

    public async Task<bool> ColumnExistsAsync(string table, string column) =>
        await database.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3)", Name, table, column);

    public Task<long> CountAsync(string table) => database.ScalarAsync<long>($"SELECT count(*) FROM \"{Name}\".\"{table}\"");

    /// <summary>Calls the function script 0002 creates, on the tenant's connection (its body finds <c>notes</c> through search_path).</summary>
    public async Task<long> NoteCountAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT note_count()");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public Task ExecuteAsync(string sql) => database.ScalarAsync<object>(sql);
}
