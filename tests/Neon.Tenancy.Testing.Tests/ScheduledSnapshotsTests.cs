using System.Net;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>Snapshots the fake takes on a branch's backup schedule, on the fake clock, as requests arrive.</summary>
public class ScheduledSnapshotsTests
{
    /// <summary>A fake with one project whose creation has finished (at 2026-05-15T12:00:10Z) and a schedule put on its branch.</summary>
    private static async Task<(FakeHost Host, FakeTimeProvider Time, string ProjectId, string BranchId)> StartWithScheduleAsync(
        BackupScheduleItem item, Action<NeonFakeServerOptions>? configure = null)
    {
        var host = FakeHost.StartWithFakeTime(out var time, configure);
        var created = await host.CreateProjectAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await host.Client.Snapshots.SetSnapshotScheduleAsync(created.Project.Id, created.Branch.Id, new BackupSchedule { Schedule = [item] });
        return (host, time, created.Project.Id, created.Branch.Id);
    }

    private static async Task<List<Snapshot>> SnapshotsAsync(FakeHost host, string projectId) =>
        [.. (await host.Client.Snapshots.ListSnapshotsAsync(projectId)).Snapshots.OrderBy(s => s.CreatedAt, StringComparer.Ordinal)];

    [Fact]
    public async Task Hourly_TakesOneOnEachHour_NotManual_ExpiresAfterRetention_TheOldestIsDeleted()
    {
        var (host, time, projectId, branchId) = await StartWithScheduleAsync(new BackupScheduleItem { Frequency = "hourly", RetentionSeconds = 7200 });
        await using var hostLifetime = host;
        Assert.Empty(await SnapshotsAsync(host, projectId));

        time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(50)); // 13:00:00
        var first = Assert.Single(await SnapshotsAsync(host, projectId));
        Assert.Single(await SnapshotsAsync(host, projectId)); // one per due time, however many requests arrive
        time.Advance(TimeSpan.FromHours(1)); // 14:00:00
        var afterTwo = await SnapshotsAsync(host, projectId);
        time.Advance(TimeSpan.FromHours(1)); // 15:00:00: the first expires as the third is taken
        var afterThree = await SnapshotsAsync(host, projectId);

        Assert.Equal("scheduled-2026-05-15T13:00:00Z", first.Name);
        Assert.False(first.Manual);
        Assert.Equal(branchId, first.SourceBranchId);
        Assert.Equal(("2026-05-15T13:00:00Z", "2026-05-15T15:00:00Z"), (first.CreatedAt, first.ExpiresAt));
        Assert.Equal(["scheduled-2026-05-15T13:00:00Z", "scheduled-2026-05-15T14:00:00Z"], afterTwo.Select(s => s.Name));
        Assert.Equal(["scheduled-2026-05-15T14:00:00Z", "scheduled-2026-05-15T15:00:00Z"], afterThree.Select(s => s.Name));
        Assert.Equal([false, false], afterThree.Select(s => s.Manual));
        Assert.Equal(["2026-05-15T16:00:00Z", "2026-05-15T17:00:00Z"], afterThree.Select(s => s.ExpiresAt));
    }

    [Fact]
    public async Task Hourly_TheOperationStartsAtTheDueTime_RunsThenFinishes_AndLocksTheProjectMeanwhile()
    {
        var (host, time, projectId, branchId) = await StartWithScheduleAsync(new BackupScheduleItem { Frequency = "hourly", RetentionSeconds = 7200 });
        await using var hostLifetime = host;

        time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(55)); // 13:00:05, halfway through the 10 s operation
        Assert.Single(await SnapshotsAsync(host, projectId));
        var operation = Assert.Single(await host.Client.Operations.ListAllProjectOperationsAsync(projectId).ToListAsync(), o => o.Action.ToString() == "create_snapshot");
        var (locked, _, _) = await host.RawAsync(HttpMethod.Post, $"projects/{projectId}/branches/{branchId}/snapshot");
        time.Advance(TimeSpan.FromSeconds(5));
        var finished = (await host.Client.Operations.GetProjectOperationAsync(projectId, operation.Id)).Operation;

        Assert.Equal(OperationStatus.Running, operation.Status);
        Assert.Equal(new DateTimeOffset(2026, 5, 15, 13, 0, 0, TimeSpan.Zero), operation.CreatedAt);
        Assert.Equal(branchId, operation.BranchId);
        Assert.Equal((HttpStatusCode)423, locked);
        Assert.Equal(OperationStatus.Finished, finished.Status);
    }

    [Fact]
    public async Task Daily_AtHour5_TakesOneAt0500Only()
    {
        var (host, time, projectId, _) = await StartWithScheduleAsync(new BackupScheduleItem { Frequency = "daily", Hour = 5, RetentionSeconds = 604800 });
        await using var hostLifetime = host;

        var counts = new List<int>();
        for (var hour = 0; hour < 20; hour++) // 13:00:10 on the 15th to 08:00:10 on the 16th, a request each hour
        {
            time.Advance(TimeSpan.FromHours(1));
            counts.Add((await SnapshotsAsync(host, projectId)).Count);
        }

        Assert.Equal(Enumerable.Repeat(0, 16).Concat(Enumerable.Repeat(1, 4)), counts);
        var taken = Assert.Single(await SnapshotsAsync(host, projectId));
        Assert.Equal(("scheduled-2026-05-16T05:00:00Z", "2026-05-16T05:00:00Z", "2026-05-23T05:00:00Z"), (taken.Name, taken.CreatedAt, taken.ExpiresAt));
    }

    [Fact]
    public async Task Weekly_OnDay1_TakesOneOnMondayAtHour()
    {
        var (host, time, projectId, _) = await StartWithScheduleAsync(new BackupScheduleItem { Frequency = "weekly", Day = 1, Hour = 2, RetentionSeconds = 1209600 });
        await using var hostLifetime = host;

        time.Advance(TimeSpan.FromDays(2)); // Sunday 17th
        var sunday = await SnapshotsAsync(host, projectId);
        time.Advance(TimeSpan.FromDays(1)); // Monday 18th, 12:00:10
        var taken = Assert.Single(await SnapshotsAsync(host, projectId));

        Assert.Empty(sunday);
        Assert.Equal("scheduled-2026-05-18T02:00:00Z", taken.Name);
    }

    [Fact]
    public async Task Hourly_TenHoursWithoutARequest_TakesOnlyTheLatestDueOne()
    {
        var (host, time, projectId, _) = await StartWithScheduleAsync(new BackupScheduleItem { Frequency = "hourly", RetentionSeconds = 86400 });
        await using var hostLifetime = host;

        time.Advance(TimeSpan.FromHours(10)); // 22:00:10

        var taken = Assert.Single(await SnapshotsAsync(host, projectId));
        Assert.Equal(("scheduled-2026-05-15T22:00:00Z", "2026-05-16T22:00:00Z"), (taken.Name, taken.ExpiresAt));
    }

    [Fact]
    public async Task ScheduledSnapshots_DoNotCountTowardsTheManualLimit()
    {
        var (host, time, projectId, branchId) = await StartWithScheduleAsync(
            new BackupScheduleItem { Frequency = "hourly", RetentionSeconds = 86400 }, o => o.ManualSnapshotLimit = 1);
        await using var hostLifetime = host;
        time.Advance(TimeSpan.FromHours(2)); // 14:00:10: the 14:00 snapshot's operation has finished
        Assert.Single(await SnapshotsAsync(host, projectId));

        var manual = await host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId, name: "mine");
        time.Advance(TimeSpan.FromSeconds(10));
        var refused = await Assert.ThrowsAsync<NeonPlanLimitException>(() => host.Client.Snapshots.CreateSnapshotAsync(projectId, branchId));

        Assert.True(manual.Snapshot.Manual);
        Assert.Equal("SNAPSHOTS_LIMIT_EXCEEDED", refused.ErrorCode);
        Assert.Equal([false, true], (await SnapshotsAsync(host, projectId)).Select(s => s.Manual));
    }

    [Fact]
    public async Task NoSchedulePut_OrAnEmptyOne_TakesNothing()
    {
        var (host, time, projectId, branchId) = await StartWithScheduleAsync(new BackupScheduleItem { Frequency = "hourly", RetentionSeconds = 86400 });
        await using var hostLifetime = host;
        await host.Client.Snapshots.SetSnapshotScheduleAsync(projectId, branchId, new BackupSchedule { Schedule = [] });

        time.Advance(TimeSpan.FromHours(3));

        Assert.Empty(await SnapshotsAsync(host, projectId));
    }
}
