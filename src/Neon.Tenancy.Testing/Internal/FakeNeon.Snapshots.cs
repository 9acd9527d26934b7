using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// The fake's snapshots (create, list, update, delete, expiry) and backup schedules (stored, and taken on the fake's clock). When backed by PostgreSQL a snapshot
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
        var name = request.QueryValue("name") is { Length: > 0 } given ? given : $"{branch.Branch.Name}-{Iso(now)}";
        var (snapshot, operation) = await TakeSnapshotAsync(project, branch, name, lsn, timestamp ?? now, now, expiresAt, manual: true).ConfigureAwait(false);
        return FakeResponse.Json(200, new CreateSnapshotResponse { Snapshot = snapshot.Snapshot, Operations = [operation] }, NeonApiJsonContext.Default.CreateSnapshotResponse);
    }

    /// <summary>
    /// Takes a snapshot of <paramref name="branch"/> at <paramref name="takenAt"/> (a manual one, or one of its backup schedule):
    /// records it, makes its real copies when backed by PostgreSQL, and starts its operation at <paramref name="takenAt"/>.
    /// </summary>
    private async Task<(FakeSnapshot Snapshot, Operation Operation)> TakeSnapshotAsync(FakeProject project, FakeBranch branch, string name, string? lsn,
        DateTimeOffset timestamp, DateTimeOffset takenAt, DateTimeOffset? expiresAt, bool manual)
    {
        var snapshot = new FakeSnapshot
        {
            Snapshot = new Snapshot
            {
                Id = $"snap-{Word(Adjectives)}-{Word(Nouns)}-{Alnum(8)}",
                Name = name,
                Lsn = lsn,
                Timestamp = Iso(timestamp),
                SourceBranchId = branch.Branch.Id,
                CreatedAt = Iso(takenAt),
                ExpiresAt = expiresAt is null ? null : Iso(expiresAt.Value),
                Manual = manual,
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
        return (snapshot, StartOperation(project, CreateSnapshotAction, branch.Branch.Id, null, startedAt: takenAt));
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

        branch.ScheduleCheckedAt = Now;
        branch.Schedule = new BackupSchedule
        {
            Schedule = [.. (body.Schedule ?? []).Select(i => new BackupScheduleItem { Frequency = i.Frequency, Hour = i.Hour, Day = i.Day, Month = i.Month, RetentionSeconds = i.RetentionSeconds })],
        };
        return FakeResponse.Json(200, new EmptyResponse(), NeonApiJsonContext.Default.EmptyResponse);
    }

    /// <summary>
    /// Takes the snapshots the backup schedules made due since the last check (checked as each request arrives): for each
    /// schedule item, only the latest due time in (last check, now], never one before the schedule was put, and none whose
    /// retention has already passed. A scheduled snapshot is not manual, is named <c>scheduled-{yyyy-MM-ddTHH:mm:ssZ}</c> (the
    /// fake's choice) after its due time, expires <c>retention_seconds</c> after it, and does not count towards the manual limit.
    /// </summary>
    private async Task TakeScheduledSnapshotsAsync()
    {
        var now = Now;
        var failure = PendingOperationFailure;
        PendingOperationFailure = null; // a fault injected into this request is not for the schedule's operations
        try
        {
            foreach (var project in _projects.Where(p => p.DeletedAt is null))
            {
                foreach (var branch in project.Branches.ToList())
                {
                    var since = branch.ScheduleCheckedAt;
                    branch.ScheduleCheckedAt = now;
                    foreach (var item in branch.Schedule.Schedule ?? [])
                    {
                        var due = LatestDueTime(item, now);
                        var expiresAt = item.RetentionSeconds is { } retention ? due + TimeSpan.FromSeconds(retention) : (DateTimeOffset?)null;
                        if (since is null || due <= since || expiresAt <= now)
                        {
                            continue;
                        }

                        await TakeSnapshotAsync(project, branch, "scheduled-" + Iso(due), null, due, due, expiresAt, manual: false).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            PendingOperationFailure = failure;
        }
    }

    /// <summary>
    /// The latest time at or before <paramref name="now"/> (UTC) that <paramref name="item"/> is due: hourly on the hour; daily at
    /// <c>hour</c> (default 0); weekly on <c>day</c> (1-7, Monday 1, default 1) at <c>hour</c>; monthly on <c>day</c> (default 1) at
    /// <c>hour</c>; yearly on <c>month</c>/<c>day</c> (default 1/1) at <c>hour</c>. A day past the end of a month is its last day (the fake's choice).
    /// </summary>
    internal static DateTimeOffset LatestDueTime(BackupScheduleItem item, DateTimeOffset now)
    {
        now = now.ToUniversalTime();
        var hour = (int)(item.Hour ?? 0);
        var day = (int)(item.Day ?? 1);
        var today = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
        static DateTimeOffset OnDay(int year, int month, int day, int hour) =>
            new(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)), hour, 0, 0, TimeSpan.Zero);

        switch (item.Frequency)
        {
            case "hourly":
                return today.AddHours(now.Hour);
            case "daily":
                var daily = today.AddHours(hour);
                return daily <= now ? daily : daily.AddDays(-1);
            case "weekly":
                var isoToday = now.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)now.DayOfWeek;
                var weekly = today.AddDays(-((isoToday - day + 7) % 7)).AddHours(hour);
                return weekly <= now ? weekly : weekly.AddDays(-7);
            case "monthly":
                var monthly = OnDay(now.Year, now.Month, day, hour);
                var previousMonth = today.AddDays(1 - now.Day).AddMonths(-1);
                return monthly <= now ? monthly : OnDay(previousMonth.Year, previousMonth.Month, day, hour);
            default:
                var month = (int)(item.Month ?? 1);
                var yearly = OnDay(now.Year, month, day, hour);
                return yearly <= now ? yearly : OnDay(now.Year - 1, month, day, hour);
        }
    }
}
