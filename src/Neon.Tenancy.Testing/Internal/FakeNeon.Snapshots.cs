using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// The fake's snapshots (create, list, update, delete, expiry) and backup schedules. When backed by PostgreSQL a snapshot
/// is real: one copy (<c>CREATE DATABASE ... TEMPLATE</c>) of every database of the source branch, refusing connections.
/// </summary>
internal sealed partial class FakeNeon
{
    /// <summary>The code of the 422 when a project holds <see cref="NeonFakeServerOptions.ManualSnapshotLimit"/> manual snapshots (the fake's guess).</summary>
    internal const string SnapshotsLimitCode = "SNAPSHOTS_LIMIT_EXCEEDED";

    private const string SnapshotPath = "projects/{project_id}/snapshots/{snapshot_id}";

    // The pinned spec's operation actions name no snapshot action; these are the fake's (unknown values must deserialize).
    private static readonly OperationAction CreateSnapshotAction = new("create_snapshot");
    private static readonly OperationAction DeleteSnapshotAction = new("delete_snapshot");

    private static readonly string[] Frequencies = ["hourly", "daily", "weekly", "monthly", "yearly"];

    private void MapSnapshots(FakeRouter router)
    {
        router.Map("POST", BranchPath + "/snapshot", CreateSnapshotAsync);
        router.Map("GET", "projects/{project_id}/snapshots", r => FakeResponse.Json(200,
            new ListSnapshotsResponse { Snapshots = [.. LiveProject(r.Route("project_id")).Snapshots.Select(s => s.Snapshot)] },
            NeonApiJsonContext.Default.ListSnapshotsResponse));
        router.Map("PATCH", SnapshotPath, UpdateSnapshot);
        router.Map("DELETE", SnapshotPath, DeleteSnapshotAsync);
        router.Map("GET", BranchPath + "/backup_schedule", r =>
            FakeResponse.Json(200, BranchOf(LiveProject(r.Route("project_id")), r.Route("branch_id")).Schedule, NeonApiJsonContext.Default.BackupSchedule));
        router.Map("PUT", BranchPath + "/backup_schedule", SetBackupSchedule);
    }

    private static FakeSnapshot SnapshotOf(FakeProject project, string snapshotId) =>
        project.Snapshots.FirstOrDefault(s => s.Snapshot.Id == snapshotId)
        ?? throw new FakeApiException(404, $"snapshot {snapshotId} not found");

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseIso(string? text, string name) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value
        : throw new FakeApiException(400, $"{name} must be an ISO 8601 timestamp");

    private static bool IsLsn(string lsn) =>
        System.Text.RegularExpressions.Regex.IsMatch(lsn, "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>A database name no database of the fake uses: <c>{project}_{label}</c>, then <c>_2</c>, <c>_3</c>, ...</summary>
    private string NewRealDatabaseName(string projectId, string label)
    {
        for (var n = 1; ; n++)
        {
            var real = PostgresBackend.RealName(projectId, n == 1 ? label : label + "_" + n.ToString(CultureInfo.InvariantCulture));
            if (!_postgres!.HasDatabase(real))
            {
                return real;
            }
        }
    }

    private async Task<FakeResponse> CreateSnapshotAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var branch = BranchOf(project, request.Route("branch_id"));
        var lsn = request.QueryValue("lsn");
        var timestamp = ParseIso(request.QueryValue("timestamp"), "timestamp");
        var expiresAt = ParseIso(request.QueryValue("expires_at"), "expires_at");
        var now = Now;
        if (lsn is not null && timestamp is not null)
        {
            throw new FakeApiException(400, "lsn and timestamp are mutually exclusive");
        }

        if (lsn is not null && !IsLsn(lsn))
        {
            throw new FakeApiException(400, "lsn is not a valid LSN");
        }

        if (timestamp is { } t && (t > now || t < now - TimeSpan.FromSeconds(project.Project.HistoryRetentionSeconds) || t < branch.Branch.CreatedAt))
        {
            throw new FakeApiException(400, "timestamp is outside the restore window of the branch");
        }

        if (expiresAt <= now)
        {
            throw new FakeApiException(400, "expires_at must be in the future");
        }

        if (project.Snapshots.Count(s => s.Snapshot.Manual == true) >= _options.ManualSnapshotLimit)
        {
            throw new FakeApiException(422, $"snapshots limit exceeded: the project already has {_options.ManualSnapshotLimit} manual snapshots", SnapshotsLimitCode);
        }

        EnsureNotLocked(project);
        var snapshot = new FakeSnapshot
        {
            Snapshot = new Snapshot
            {
                Id = $"snap-{Word(Adjectives)}-{Word(Nouns)}-{Alnum(8)}",
                Name = request.QueryValue("name") is { Length: > 0 } name ? name : $"{branch.Branch.Name}-{Iso(now)}",
                Lsn = lsn,
                Timestamp = Iso(timestamp ?? now),
                SourceBranchId = branch.Branch.Id,
                CreatedAt = Iso(now),
                ExpiresAt = expiresAt is null ? null : Iso(expiresAt.Value),
                Manual = true,
            },
            ExpiresAt = expiresAt,
        };
        snapshot.Roles.AddRange(branch.Roles);
        foreach (var database in branch.Databases)
        {
            string? copy = null;
            var owner = branch.Roles.FirstOrDefault(r => r.Role.Name == database.Database.OwnerName);
            if (_postgres is not null && database.RealName is not null && owner?.RealName is not null)
            {
                // The snapshot's copy; it refuses connections so that it can always serve as a template for a restore.
                copy = NewRealDatabaseName(project.Project.Id, database.Database.Name + "_snapshot");
                await _postgres.CopyDatabaseAsync(database.RealName, copy, owner.RealName, sourceConnectable: !project.QuotaSuspended, targetConnectable: false,
                    CancellationToken.None).ConfigureAwait(false);
            }

            snapshot.Databases.Add((database.Database.Name, database.Database.OwnerName, copy));
        }

        project.Snapshots.Add(snapshot);
        var operations = new List<Operation> { StartOperation(project, CreateSnapshotAction, branch.Branch.Id, null) };
        return FakeResponse.Json(200, new CreateSnapshotResponse { Snapshot = snapshot.Snapshot, Operations = operations }, NeonApiJsonContext.Default.CreateSnapshotResponse);
    }

    private FakeResponse UpdateSnapshot(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var snapshot = SnapshotOf(project, request.Route("snapshot_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.SnapshotUpdateRequest, "snapshot");
        var name = body.Snapshot?.Name;
        if (name is not null)
        {
            snapshot.Snapshot.Name = name.Length is > 0 and <= 256 ? name : throw new FakeApiException(400, "snapshot.name must be 1 to 256 characters");
        }

        return FakeResponse.Json(200, new UpdateSnapshotResponse { Snapshot = snapshot.Snapshot }, NeonApiJsonContext.Default.UpdateSnapshotResponse);
    }

    private async Task<FakeResponse> DeleteSnapshotAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var snapshot = SnapshotOf(project, request.Route("snapshot_id"));
        EnsureNotLocked(project);
        await DropSnapshotAsync(project, snapshot).ConfigureAwait(false);
        var operations = new List<Operation> { StartOperation(project, DeleteSnapshotAction, snapshot.Snapshot.SourceBranchId, null) };
        return FakeResponse.Json(202, new OperationsResponse { Operations = operations }, NeonApiJsonContext.Default.OperationsResponse);
    }

    private async Task DropSnapshotAsync(FakeProject project, FakeSnapshot snapshot)
    {
        project.Snapshots.Remove(snapshot);
        if (_postgres is not null)
        {
            await _postgres.DropAsync([.. snapshot.Databases.Select(d => d.RealCopy).OfType<string>()], [], CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the snapshots whose <c>expires_at</c> has passed (checked as each request arrives).</summary>
    private async Task ExpireSnapshotsAsync()
    {
        var now = Now;
        foreach (var project in _projects)
        {
            foreach (var snapshot in project.Snapshots.Where(s => s.ExpiresAt <= now).ToList())
            {
                await DropSnapshotAsync(project, snapshot).ConfigureAwait(false);
            }
        }
    }

    private FakeResponse SetBackupSchedule(FakeRequest request)
    {
        var branch = BranchOf(LiveProject(request.Route("project_id")), request.Route("branch_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.BackupSchedule, "schedule");
        foreach (var item in body.Schedule ?? [])
        {
            if (!Frequencies.Contains(item.Frequency))
            {
                throw new FakeApiException(400, "frequency must be hourly, daily, weekly, monthly or yearly");
            }

            if (item.Hour is < 0 or > 23 || item.Day is < 1 or > 31 || item.Month is < 1 or > 12)
            {
                throw new FakeApiException(400, "hour must be 0-23, day 1-31 and month 1-12");
            }

            if (item.RetentionSeconds is < 3600)
            {
                throw new FakeApiException(400, "retention_seconds must be at least 3600");
            }
        }

        branch.Schedule = new BackupSchedule
        {
            Schedule = [.. (body.Schedule ?? []).Select(i => new BackupScheduleItem { Frequency = i.Frequency, Hour = i.Hour, Day = i.Day, Month = i.Month, RetentionSeconds = i.RetentionSeconds })],
        };
        return FakeResponse.Json(200, new EmptyResponse(), NeonApiJsonContext.Default.EmptyResponse);
    }
}
