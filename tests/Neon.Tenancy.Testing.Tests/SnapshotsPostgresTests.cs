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

    [Fact]
    public async Task ScheduledSnapshot_CopiesTheBranchDatabase_ItsExpiryDropsTheCopy()
    {
        var (host, time, created) = await StartWithRowsAsync();
        await using var hostLifetime = host;
        var projectId = created.Project.Id;
        var before = await ProjectDatabasesAsync(projectId);
        await host.Client.Snapshots.SetSnapshotScheduleAsync(projectId, created.Branch.Id,
            new BackupSchedule { Schedule = [new BackupScheduleItem { Frequency = "hourly", RetentionSeconds = 3600 }] });

        time.Advance(TimeSpan.FromHours(1)); // 13:00:10
        var taken = Assert.Single((await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots);
        var copy = Assert.Single((await ProjectDatabasesAsync(projectId)).Except(before));
        time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(50)); // 14:00:00: expired as the next is taken
        var next = Assert.Single((await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots);

        Assert.False(taken.Manual);
        Assert.True(await FakeHost.DatabaseExistsAsync(copy));
        Assert.Equal("scheduled-2026-05-15T14:00:00Z", next.Name);
        Assert.Single((await ProjectDatabasesAsync(projectId)).Except(before)); // the expired one's copy was dropped (the new one may reuse its name)
    }

    [Fact]
    public async Task RestoreSnapshot_Finalize_TheProjectsConnectionShowsTheSnapshotsRows_AndTheDefaultBranchChanged()
    {
        var (host, time, created) = await StartWithRowsAsync();
        await using var hostLifetime = host;
        var (projectId, uri) = (created.Project.Id, created.ConnectionUris[0].ConnectionUri);
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        await ExecuteAsync(uri, "INSERT INTO items VALUES ('c'); DELETE FROM items WHERE v = 'a'");
        await using var open = new NpgsqlConnection(FakeHost.ToNpgsql(uri));
        await open.OpenAsync();

        var restored = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id, request: new RestoreSnapshotRequest { FinalizeRestore = true });
        time.Advance(TimeSpan.FromSeconds(10));

        var terminated = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var command = new NpgsqlCommand("SELECT 1", open);
            await command.ExecuteScalarAsync();
        });
        Assert.Equal("57P01", (terminated as PostgresException ?? terminated.InnerException as PostgresException)?.SqlState);
        Assert.Equal("a,b", await ItemsAsync(uri));
        Assert.Equal("a,b", await ItemsAsync((await host.Client.Projects.GetConnectionURIAsync(projectId, "neondb", "neondb_owner")).Uri));
        var defaultBranch = Assert.Single((await host.Client.Branches.ListProjectBranchesAsync(projectId)).Branches, b => b.Default);
        Assert.Equal(restored.Branch.Id, defaultBranch.Id);
        Assert.NotEqual(created.Branch.Id, defaultBranch.Id);
    }

    [Fact]
    public async Task RestoreSnapshot_Preview_ItsUriShowsTheOldRows_TheProjectKeepsTheNewOnesUntilFinalize()
    {
        var (host, time, created) = await StartWithRowsAsync();
        await using var hostLifetime = host;
        var (projectId, uri) = (created.Project.Id, created.ConnectionUris[0].ConnectionUri);
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        await ExecuteAsync(uri, "INSERT INTO items VALUES ('c')");

        var preview = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        var previewUri = (await host.Client.Projects.GetConnectionURIAsync(projectId, "neondb", "neondb_owner", branchId: preview.Branch.Id)).Uri;

        Assert.NotEqual(uri, previewUri);
        Assert.Equal("a,b", await ItemsAsync(previewUri));
        Assert.Equal("a,b,c", await ItemsAsync(uri));
        await ExecuteAsync(previewUri, "INSERT INTO items VALUES ('p')");

        await host.Client.Branches.FinalizeRestoreBranchAsync(projectId, preview.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("a,b,p", await ItemsAsync(uri));
        Assert.Equal("a,b,p", await ItemsAsync((await host.Client.Projects.GetConnectionURIAsync(projectId, "neondb", "neondb_owner")).Uri));
        Assert.Equal(preview.Branch.Id, Assert.Single((await host.Client.Branches.ListProjectBranchesAsync(projectId)).Branches, b => b.Default).Id);
    }

    [Fact]
    public async Task DeleteBranch_DiscardingAPreviewOrTheReplacedBranch_DropsItsDatabase()
    {
        var (host, time, created) = await StartWithRowsAsync();
        await using var hostLifetime = host;
        var projectId = created.Project.Id;
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        var withSnapshot = await ProjectDatabasesAsync(projectId);

        var preview = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(withSnapshot.Count + 1, (await ProjectDatabasesAsync(projectId)).Count);
        await host.Client.Branches.DeleteProjectBranchAsync(projectId, preview.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(withSnapshot, await ProjectDatabasesAsync(projectId));

        await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id, request: new RestoreSnapshotRequest { FinalizeRestore = true });
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Client.Branches.DeleteProjectBranchAsync(projectId, created.Branch.Id);

        Assert.Equal(withSnapshot, await ProjectDatabasesAsync(projectId));
        Assert.Equal("a,b", await ItemsAsync(created.ConnectionUris[0].ConnectionUri));
    }

    [Fact]
    public async Task ResetPassword_AfterAFinalizedRestore_ChangesTheRoleTheBranchesShare()
    {
        var (host, time, created) = await StartWithRowsAsync();
        await using var hostLifetime = host;
        var projectId = created.Project.Id;
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        var restored = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id, request: new RestoreSnapshotRequest { FinalizeRestore = true });
        time.Advance(TimeSpan.FromSeconds(10));

        var reset = await host.Client.Branches.ResetProjectBranchRolePasswordAsync(projectId, restored.Branch.Id, "neondb_owner");
        time.Advance(TimeSpan.FromSeconds(10));

        var oldBranchPassword = await host.Client.Branches.GetProjectBranchRolePasswordAsync(projectId, created.Branch.Id, "neondb_owner");
        Assert.Equal(reset.Role.Password, oldBranchPassword.Password);
        Assert.Equal("a,b", await ItemsAsync((await host.Client.Projects.GetConnectionURIAsync(projectId, "neondb", "neondb_owner")).Uri));
        var rejected = await Assert.ThrowsAsync<PostgresException>(() => ItemsAsync(created.ConnectionUris[0].ConnectionUri));
        Assert.Equal("28P01", rejected.SqlState);
    }
}
