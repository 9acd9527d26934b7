using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// Scheduled checkpoints that Neon takes (<see cref="TenantPlan.UseNeonBackupSchedule"/>): sets the backup schedule on
/// the tenant's branch when it is not the plan's, records the snapshots Neon took as checkpoints (metadata
/// <c>neon.tenancy.schedule</c> = <c>neon hourly</c>, ...) and forgets those Neon deleted when their retention ended.
/// Through the tenant-change kit, like every change; called by <see cref="CheckpointScheduler"/> each tick.
/// </summary>
internal sealed class NeonBackupSchedules
{
    private const string Operation = "backup schedule";

    private readonly TenantMutator _kit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NeonBackupSchedules(TenantMutator kit, TimeProvider timeProvider, ILogger<NeonBackupSchedules>? logger = null)
    {
        _kit = kit;
        _time = timeProvider;
        _logger = logger ?? NullLogger<NeonBackupSchedules>.Instance;
    }

    /// <summary>The metadata value of a checkpoint Neon's schedule took.</summary>
    public static string MetadataValue(string frequency) => "neon " + frequency;

    /// <summary>Syncs one tenant; returns how many of Neon's snapshots it recorded.</summary>
    /// <exception cref="NeonApiException">Neon refused a call (for example a plan without backup schedules).</exception>
    public Task<int> SyncAsync(TenantId tenantId, CheckpointRetention plan, CancellationToken cancellationToken) =>
        _kit.RunAsync(tenantId, Operation, async token =>
        {
            var frequency = plan.NeonFrequency ?? throw new InvalidOperationException("The plan's CheckpointInterval has no Neon backup schedule frequency.");
            var record = await _kit.RequireServingAsync(tenantId, Operation, token).ConfigureAwait(false);
            var (projectId, branchId) = (record.ProjectId!, record.BranchId!);
            var wanted = new BackupScheduleItem
            {
                Frequency = frequency,
                Hour = frequency == "hourly" ? null : 0,
                Day = frequency == "weekly" ? 1 : null,
                RetentionSeconds = plan.MaxAge is { } kept ? (long)kept.TotalSeconds : null,
            };
            var current = await _kit.Api.Snapshots.GetSnapshotScheduleAsync(projectId, branchId, token).ConfigureAwait(false);
            var scheduleState = "already set";
            if (current.Schedule.Count != 1 || !Same(current.Schedule[0], wanted))
            {
                await _kit.SendAsync(projectId, t => _kit.Api.Snapshots.SetSnapshotScheduleAsync(projectId, branchId, new BackupSchedule { Schedule = [wanted] }, t), token)
                    .ConfigureAwait(false);
                scheduleState = "set";
            }

            var value = MetadataValue(frequency);
            var snapshots = (await _kit.Api.Snapshots.ListSnapshotsAsync(projectId, token).ConfigureAwait(false)).Snapshots;
            var recorded = await _kit.Catalog.GetCheckpointsAsync(tenantId, token).ConfigureAwait(false);
            var added = 0;
            foreach (var snapshot in snapshots.Where(s => s.Manual == false && !recorded.Any(c => string.Equals(c.Id, s.Id, StringComparison.Ordinal))))
            {
                await _kit.Catalog.AddCheckpointAsync(new TenantCheckpoint
                {
                    TenantId = tenantId,
                    Id = snapshot.Id,
                    Name = string.IsNullOrWhiteSpace(snapshot.Name) ? "scheduled by Neon" : snapshot.Name,
                    CreatedAt = ParseTime(snapshot.CreatedAt) ?? _time.GetUtcNow(),
                    BranchId = snapshot.SourceBranchId,
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [CheckpointScheduler.ScheduleMetadataKey] = value },
                }, token).ConfigureAwait(false);
                added++;
            }

            // Neon deletes its scheduled snapshots when their retention ends: their records go too (only those it took).
            var forgotten = 0;
            foreach (var gone in recorded.Where(c => c.Metadata.TryGetValue(CheckpointScheduler.ScheduleMetadataKey, out var v) && v.StartsWith("neon ", StringComparison.Ordinal)
                && !snapshots.Any(s => string.Equals(s.Id, c.Id, StringComparison.Ordinal))
                && !string.Equals(record.PendingRestore?.CheckpointId, c.Id, StringComparison.Ordinal)))
            {
                forgotten += await _kit.Catalog.RemoveCheckpointAsync(tenantId, gone.Id, token).ConfigureAwait(false) ? 1 : 0;
            }

            var changed = scheduleState == "set" || added > 0 || forgotten > 0;
            CheckpointLog.NeonScheduleSynced(_logger, changed ? LogLevel.Information : LogLevel.Debug, tenantId.Value, frequency, branchId, scheduleState, added, forgotten);
            return added;
        }, cancellationToken);

    private static bool Same(BackupScheduleItem a, BackupScheduleItem b) =>
        string.Equals(a.Frequency, b.Frequency, StringComparison.OrdinalIgnoreCase) && a.Hour == b.Hour && a.Day == b.Day && a.Month == b.Month
        && a.RetentionSeconds == b.RetentionSeconds;

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed : null;
}
