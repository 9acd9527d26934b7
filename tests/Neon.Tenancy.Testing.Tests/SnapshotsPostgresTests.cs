using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>Snapshots and restores of the fake backed by the real PostgreSQL that eng/test.sh starts (fail, never skip, without it).</summary>
public class SnapshotsPostgresTests
{
    /// <summary>A backed fake with one project whose creation has finished, holding rows 'a' and 'b' in table <c>items</c>.</summary>
    private static async Task<(FakeHost Host, FakeTimeProvider Time, CreateProjectResponse Created)> StartWithRowsAsync()
    {
        var host = FakeHost.StartBacked(out var time);
        var created = await host.CreateProjectAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await ExecuteAsync(created.ConnectionUris[0].ConnectionUri, "CREATE TABLE items (v text); INSERT INTO items VALUES ('a'), ('b')");
        return (host, time, created);
    }

    private static async Task ExecuteAsync(string uri, string sql)
    {
        await using var connection = new NpgsqlConnection(FakeHost.ToNpgsql(uri));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ItemsAsync(string uri)
    {
        await using var connection = new NpgsqlConnection(FakeHost.ToNpgsql(uri));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(string_agg(v, ',' ORDER BY v), '') FROM items", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The real databases whose names start with the project id (its branches' and its snapshots').</summary>
    private static async Task<List<string>> ProjectDatabasesAsync(string projectId)
    {
        await using var connection = new NpgsqlConnection(FakeHost.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, @prefix) ORDER BY datname", connection);
        command.Parameters.AddWithValue("prefix", projectId + "_");
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public async Task CreateSnapshot_CopiesTheBranchDatabase_DeleteSnapshotDropsTheCopy()
    {
        var (host, time, created) = await StartWithRowsAsync();
        await using var hostLifetime = host;
        var projectId = created.Project.Id;
        var before = await ProjectDatabasesAsync(projectId);

        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        await ExecuteAsync(created.ConnectionUris[0].ConnectionUri, "INSERT INTO items VALUES ('c')");

        var copy = Assert.Single((await ProjectDatabasesAsync(projectId)).Except(before));
        var adminToCopy = new NpgsqlConnectionStringBuilder(FakeHost.PostgresConnectionString) { Database = copy }.ConnectionString;
        Assert.Equal("55000", (await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(adminToCopy);
            await connection.OpenAsync();
        })).SqlState);
        Assert.Equal("a,b,c", await ItemsAsync(created.ConnectionUris[0].ConnectionUri));

        await host.Client.Snapshots.DeleteSnapshotAsync(projectId, snap.Snapshot.Id);

        Assert.False(await FakeHost.DatabaseExistsAsync(copy));
        Assert.Equal(before, await ProjectDatabasesAsync(projectId));
    }
}
