using System.Net;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>Snapshots, restores and backup schedules through the generated client, without PostgreSQL.</summary>
public class SnapshotsTests
{
    /// <summary>A fake with one project whose creation has finished.</summary>
    private static async Task<(FakeHost Host, FakeTimeProvider Time, CreateProjectResponse Created)> StartWithReadyProjectAsync(
        Action<NeonFakeServerOptions>? configure = null)
    {
        var host = FakeHost.StartWithFakeTime(out var time, configure);
        var created = await host.CreateProjectAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        return (host, time, created);
    }

    [Fact]
    public async Task CreateSnapshot_ReturnsSnapshotAndOperation_LocksTheProjectUntilItFinishes_ThenListUpdateDelete()
    {
        var (host, time, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        var (projectId, branchId) = (created.Project.Id, created.Branch.Id);

        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId, name: "before-migration", expiresAt: "2026-06-01T00:00:00Z");

        Assert.Equal("before-migration", snap.Snapshot.Name);
        Assert.Equal(branchId, snap.Snapshot.SourceBranchId);
        Assert.Equal("2026-05-15T12:00:10Z", snap.Snapshot.CreatedAt);
        Assert.Equal("2026-06-01T00:00:00Z", snap.Snapshot.ExpiresAt);
        Assert.True(snap.Snapshot.Manual);
        var operation = Assert.Single(snap.Operations);
        Assert.Equal(OperationStatus.Scheduling, operation.Status);
        var (locked, _, _) = await host.RawAsync(HttpMethod.Delete, $"projects/{projectId}/snapshots/{snap.Snapshot.Id}");
        Assert.Equal((HttpStatusCode)423, locked);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(OperationStatus.Finished, (await host.Client.Operations.GetProjectOperationAsync(projectId, operation.Id)).Operation.Status);
        var renamed = await host.Client.Snapshots.UpdateSnapshotAsync(projectId, snap.Snapshot.Id,
            new SnapshotUpdateRequest { Snapshot = new SnapshotUpdateRequestSnapshot { Name = "v2-migration" } });
        Assert.Equal("v2-migration", renamed.Snapshot.Name);
        var listed = Assert.Single((await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots);
        Assert.Equal((snap.Snapshot.Id, "v2-migration"), (listed.Id, listed.Name));

        var deleted = await host.Client.Snapshots.DeleteSnapshotAsync(projectId, snap.Snapshot.Id);

        Assert.Equal(202, host.Server.RequestLog[^1].StatusCode);
        Assert.Single(deleted.Operations);
        Assert.Empty((await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots);
        var (missing, _, _) = await host.RawAsync(HttpMethod.Delete, $"projects/{projectId}/snapshots/{snap.Snapshot.Id}");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task CreateSnapshot_OverTheManualLimit_Answers422WithLimitCode_UntilOneIsDeleted()
    {
        var (host, time, created) = await StartWithReadyProjectAsync(o => o.ManualSnapshotLimit = 2);
        await using var hostLifetime = host;
        var (projectId, branchId) = (created.Project.Id, created.Branch.Id);
        var first = await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId);
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId);
        time.Advance(TimeSpan.FromSeconds(10));

        var refused = await Assert.ThrowsAsync<NeonPlanLimitException>(() => host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("SNAPSHOTS_LIMIT_EXCEEDED", refused.ErrorCode);
        Assert.Equal(2, (await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots.Count);
        await host.Client.Snapshots.DeleteSnapshotAsync(projectId, first.Snapshot.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId);
        Assert.Equal(2, (await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots.Count);
    }

    [Fact]
    public async Task CreateSnapshot_InvalidArguments_Answer400()
    {
        var (host, _, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        var path = $"projects/{created.Project.Id}/branches/{created.Branch.Id}/snapshot";

        var (both, _, _) = await host.RawAsync(HttpMethod.Post, path + "?lsn=0/1A2B3C&timestamp=2026-05-15T11:00:00Z");
        var (past, _, _) = await host.RawAsync(HttpMethod.Post, path + "?expires_at=2026-05-01T00:00:00Z");
        var (outsideWindow, _, _) = await host.RawAsync(HttpMethod.Post, path + "?timestamp=2026-04-01T00:00:00Z");
        var (noBranch, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{created.Project.Id}/branches/br-none-none-00000000/snapshot");

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound], [both, past, outsideWindow, noBranch]);
        Assert.Empty((await host.Client.Snapshots.ListSnapshotsAsync(created.Project.Id)).Snapshots);
    }

    [Fact]
    public async Task Snapshot_ExpiresAtPasses_IsDeleted()
    {
        var (host, time, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        await host.Client.Snapshots.CreateSnapshotAsync(created.Project.Id, created.Branch.Id, expiresAt: "2026-05-15T13:00:00Z");

        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Single((await host.Client.Snapshots.ListSnapshotsAsync(created.Project.Id)).Snapshots);
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty((await host.Client.Snapshots.ListSnapshotsAsync(created.Project.Id)).Snapshots);
    }

    [Fact]
    public async Task BackupSchedule_RoundTripsPerBranch_RetentionUnderAnHourAnswers400()
    {
        var (host, _, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        var (projectId, branchId) = (created.Project.Id, created.Branch.Id);
        Assert.Empty((await host.Client.Snapshots.GetSnapshotScheduleAsync(projectId, branchId)).Schedule);

        await host.Client.Snapshots.SetSnapshotScheduleAsync(projectId, branchId, new BackupSchedule
        {
            Schedule = [new BackupScheduleItem { Frequency = "daily", Hour = 3, RetentionSeconds = 604800 }, new BackupScheduleItem { Frequency = "weekly", Day = 1 }],
        });
        var (tooShort, error, _) = await host.RawAsync(HttpMethod.Put, $"projects/{projectId}/branches/{branchId}/backup_schedule",
            """{"schedule":[{"frequency":"hourly","retention_seconds":3599}]}""");
        var (badFrequency, _, _) = await host.RawAsync(HttpMethod.Put, $"projects/{projectId}/branches/{branchId}/backup_schedule",
            """{"schedule":[{"frequency":"every-minute"}]}""");

        var schedule = (await host.Client.Snapshots.GetSnapshotScheduleAsync(projectId, branchId)).Schedule;
        Assert.Equal([("daily", (long?)3, (long?)null, (long?)604800), ("weekly", null, 1, null)], schedule.Select(i => (i.Frequency, i.Hour, i.Day, i.RetentionSeconds)));
        Assert.Equal(HttpStatusCode.BadRequest, tooShort);
        Assert.Contains("retention_seconds", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badFrequency);
    }

    [Fact]
    public async Task RestoreSnapshot_Finalize_MovesTheComputeOntoANewDefaultBranch_KeepsTheOldOneRenamed()
    {
        var (host, time, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        var (projectId, branchId, endpointId) = (created.Project.Id, created.Branch.Id, created.Endpoints[0].Id);
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId);
        var (locked, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/snapshots/{snap.Snapshot.Id}/restore", """{"finalize_restore":true}""");
        Assert.Equal((HttpStatusCode)423, locked);
        time.Advance(TimeSpan.FromSeconds(10));

        var restored = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id, request: new RestoreSnapshotRequest { FinalizeRestore = true });
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.NotEqual(branchId, restored.Branch.Id);
        Assert.Equal(("main", true, "finalized", snap.Snapshot.Id, branchId),
            (restored.Branch.Name, restored.Branch.Default, restored.Branch.RestoreStatus, restored.Branch.RestoredFrom, restored.Branch.RestoredAs));
        Assert.Equal(endpointId, Assert.Single(restored.Endpoints!).Id);
        Assert.Equal(restored.Branch.Id, (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, endpointId)).Endpoint.BranchId);
        var branches = (await host.Client.Branches.ListProjectBranchesAsync(projectId)).Branches;
        Assert.Equal(restored.Branch.Id, Assert.Single(branches, b => b.Default).Id);
        var old = Assert.Single(branches, b => b.Id == branchId);
        Assert.StartsWith("main_old_", old.Name);
        Assert.Single((await host.Client.Endpoints.ListProjectEndpointsAsync(projectId)).Endpoints);
    }

    [Fact]
    public async Task RestoreSnapshot_Preview_HasItsOwnCompute_FinalizeMovesTheProjectOntoIt()
    {
        var (host, time, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        var (projectId, branchId, endpointId) = (created.Project.Id, created.Branch.Id, created.Endpoints[0].Id);
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId, name: "nightly");
        time.Advance(TimeSpan.FromSeconds(10));

        var preview = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id, request: new RestoreSnapshotRequest { Name = "inspect" });
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(("inspect", false, "restored"), (preview.Branch.Name, preview.Branch.Default, preview.Branch.RestoreStatus));
        var previewEndpoint = Assert.Single(preview.Endpoints!);
        Assert.NotEqual(endpointId, previewEndpoint.Id);
        Assert.Equal(branchId, (await host.Client.Endpoints.GetProjectEndpointAsync(projectId, endpointId)).Endpoint.BranchId);
        Assert.Equal(branchId, Assert.Single((await host.Client.Branches.ListProjectBranchesAsync(projectId)).Branches, b => b.Default).Id);

        var finalized = await host.Client.Branches.FinalizeRestoreBranchAsync(projectId, preview.Branch.Id, new FinalizeRestoreBranchRequest { Name = "before-restore" });
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.NotEmpty(finalized.Operations);
        var branches = (await host.Client.Branches.ListProjectBranchesAsync(projectId)).Branches;
        var now = Assert.Single(branches, b => b.Default);
        Assert.Equal((preview.Branch.Id, "main", "finalized"), (now.Id, now.Name, now.RestoreStatus));
        Assert.Equal("before-restore", Assert.Single(branches, b => b.Id == branchId).Name);
        var endpoint = Assert.Single((await host.Client.Endpoints.ListProjectEndpointsAsync(projectId)).Endpoints);
        Assert.Equal((endpointId, preview.Branch.Id), (endpoint.Id, endpoint.BranchId));
        var (again, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{preview.Branch.Id}/finalize_restore");
        Assert.Equal(HttpStatusCode.BadRequest, again);
    }

    [Fact]
    public async Task DeleteBranch_DiscardsAPreview_TheDefaultBranchCannotBeDeleted()
    {
        var (host, time, created) = await StartWithReadyProjectAsync();
        await using var hostLifetime = host;
        var projectId = created.Project.Id;
        var snap = await host.Client.Snapshots.CreateSnapshotAsync(projectId, created.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        var preview = await host.Client.Snapshots.RestoreSnapshotAsync(projectId, snap.Snapshot.Id);
        time.Advance(TimeSpan.FromSeconds(10));

        var deleted = await host.Client.Branches.DeleteProjectBranchAsync(projectId, preview.Branch.Id);
        time.Advance(TimeSpan.FromSeconds(10));
        var (defaultBranch, _, _) = await host.RawAsync(HttpMethod.Delete, $"projects/{projectId}/branches/{created.Branch.Id}");

        Assert.Equal(preview.Branch.Id, deleted.Branch.Id);
        Assert.Equal(created.Branch.Id, Assert.Single((await host.Client.Branches.ListProjectBranchesAsync(projectId)).Branches).Id);
        Assert.Equal(created.Endpoints[0].Id, Assert.Single((await host.Client.Endpoints.ListProjectEndpointsAsync(projectId)).Endpoints).Id);
        Assert.Equal(HttpStatusCode.BadRequest, defaultBranch);
        var (finalizeDiscarded, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{preview.Branch.Id}/finalize_restore");
        Assert.Equal(HttpStatusCode.NotFound, finalizeDiscarded);
    }
}
