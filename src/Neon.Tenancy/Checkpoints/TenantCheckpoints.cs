using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="ITenantCheckpoints"/>: Neon snapshots through the tenant-change kit (<see cref="TenantMutator"/>:
/// the tenant's lock, a wait for the project's running operations), recorded in the catalog.
/// </summary>
internal sealed class TenantCheckpoints : ITenantCheckpoints
{
    /// <summary>The metadata key of a checkpoint recorded from a snapshot Neon held that the catalog did not list.</summary>
    internal const string AdoptedMetadataKey = "neon.tenancy.adopted";

    private const string CreateOperation = "checkpoint", DeleteOperation = "checkpoint deletion", RestoreOperation = "checkpoint restore",
        FinalizeOperation = "restore finalize", DiscardOperation = "restore discard", PreviewOperation = "restore preview";

    private readonly TenantMutator _kit;
    private readonly TenantRestorer _restorer;
    private readonly PlanBook? _plans;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CheckpointMetrics _metrics;

    public TenantCheckpoints(
        TenantMutator kit,
        TenantRestorer restorer,
        TimeProvider timeProvider,
        ILogger<TenantCheckpoints>? logger = null,
        PlanBook? plans = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        _kit = kit;
        _restorer = restorer;
        _plans = plans;
        _time = timeProvider;
        _logger = logger ?? NullLogger<TenantCheckpoints>.Instance;
        _metrics = new CheckpointMetrics(meterFactory);
    }

    private ITenantCatalog Catalog => _kit.Catalog;

    private NeonApiClient Api => _kit.Api;

    public Task<TenantCheckpoint> CreateCheckpointAsync(TenantId tenantId, string name, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        // The record's rules (name, metadata) are checked before anything is sent: a refused checkpoint leaves no snapshot.
        ArgumentNullException.ThrowIfNull(name);
        var draft = new TenantCheckpoint
        {
            TenantId = tenantId,
            Id = "pending",
            Name = name,
            CreatedAt = default,
            Metadata = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal),
        };
        TenantRequestRules.Validate(tenantId);
        if (TenantRequestRules.BranchNameProblem(name) is { } problem)
        {
            // The name is also the Neon snapshot's, so it follows Neon's name rule; it is not quoted back.
            throw new ArgumentException($"Tenant '{tenantId}': the checkpoint name {problem}", nameof(name));
        }

        CatalogRules.Validate(draft);

        return RunAsync(tenantId, CreateOperation, "create", async token =>
        {
            var record = await RequireServingAsync(tenantId, CreateOperation, token).ConfigureAwait(false);
            var kept = await ExpireAsync(record, token).ConfigureAwait(false);
            CreateSnapshotResponse created;
            try
            {
                created = await SnapshotAsync(record, name, token).ConfigureAwait(false);
            }
            catch (NeonPlanLimitException limit)
            {
                if (await AdoptUnrecordedAsync(record, token).ConfigureAwait(false) == 0)
                {
                    throw new TenantCheckpointLimitException(tenantId, kept, Retention(record).MaxCount, limit.ErrorCode, limit);
                }

                // Neon held snapshots the catalog did not list (a create interrupted after Neon took it): now recorded,
                // the plan's retention applies to them, and the snapshot is asked for once more.
                kept = await ExpireAsync(record, token).ConfigureAwait(false);
                created = await SnapshotAsync(record, name, token, kept).ConfigureAwait(false);
            }

            var checkpoint = await Catalog.AddCheckpointAsync(draft with
            {
                Id = created.Snapshot.Id,
                CreatedAt = _time.GetUtcNow(), // this clock, not Neon's answer (whole seconds): checkpoints of one second stay in order
                BranchId = record.BranchId,
            }, token).ConfigureAwait(false);
            CheckpointLog.Created(_logger, tenantId.Value, checkpoint.Id, checkpoint.Name, record.BranchId!);
            return checkpoint;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        return Catalog.GetCheckpointsAsync(tenantId, cancellationToken);
    }

    public async Task<TenantCheckpoint?> GetCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        CatalogRules.RequireCheckpointId(checkpointId, nameof(checkpointId));
        var checkpoints = await Catalog.GetCheckpointsAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return checkpoints.FirstOrDefault(c => string.Equals(c.Id, checkpointId, StringComparison.Ordinal));
    }

    public Task<bool> DeleteCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        CatalogRules.RequireCheckpointId(checkpointId, nameof(checkpointId));
        return RunAsync(tenantId, DeleteOperation, "delete", async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            var checkpoint = await GetCheckpointAsync(tenantId, checkpointId, token).ConfigureAwait(false);
            if (checkpoint is null)
            {
                return false;
            }

            if (string.Equals(record.PendingRestore?.CheckpointId, checkpointId, StringComparison.Ordinal))
            {
                throw new TenantStateException(tenantId, record.State, DeleteOperation,
                    "a restore of this checkpoint is pending; FinalizeRestoreAsync or DiscardRestoreAsync decides it first");
            }

            await DeleteCoreAsync(record, checkpoint, token).ConfigureAwait(false);
            CheckpointLog.Deleted(_logger, tenantId.Value, checkpointId);
            return true;
        }, cancellationToken);
    }

    public Task<TenantRecord> RestoreCheckpointAsync(TenantId tenantId, string checkpointId, TenantRestoreMode mode = TenantRestoreMode.Finalize,
        CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        CatalogRules.RequireCheckpointId(checkpointId, nameof(checkpointId));
        if (mode is not (TenantRestoreMode.Finalize or TenantRestoreMode.Preview))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown restore mode.");
        }

        return RunAsync(tenantId, RestoreOperation, mode == TenantRestoreMode.Preview ? "preview" : "restore", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, RestoreOperation, token).ConfigureAwait(false);
            var checkpoint = await GetCheckpointAsync(tenantId, checkpointId, token).ConfigureAwait(false)
                ?? throw new TenantCheckpointNotFoundException(tenantId, checkpointId);
            var now = _time.GetUtcNow();
            var previous = record.BranchId!;
            (record, _) = await _restorer.StartAsync(record, new TenantPendingRestore
            {
                Kind = TenantRestoreKind.Checkpoint,
                Stage = TenantRestoreStage.Requested,
                Preview = mode == TenantRestoreMode.Preview,
                CheckpointId = checkpoint.Id,
                BranchName = mode == TenantRestoreMode.Preview ? PreviewBranchName(checkpoint, now) : null,
                PreviousBranchId = previous,
                StartedAt = now,
            }, RestoreOperation, token).ConfigureAwait(false);
            if (record.PendingRestore is null)
            {
                CheckpointLog.Restored(_logger, tenantId.Value, checkpoint.Id, record.BranchId!, previous);
            }

            return record;
        }, cancellationToken);
    }

    public async Task<NpgsqlConnection> OpenPreviewConnectionAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await _kit.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return await TenantConnectionStrings.OpenAsync(_restorer.PreviewConnectionString(record, PreviewOperation), cancellationToken).ConfigureAwait(false);
    }

    public Task<TenantRecord> FinalizeRestoreAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        RunAsync(tenantId, FinalizeOperation, "finalize", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, FinalizeOperation, token).ConfigureAwait(false);
            return await _restorer.FinalizeAsync(record, FinalizeOperation, token).ConfigureAwait(false);
        }, cancellationToken);

    public Task<TenantRecord> DiscardRestoreAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        RunAsync(tenantId, DiscardOperation, "discard", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, DiscardOperation, token).ConfigureAwait(false);
            return await _restorer.DiscardAsync(record, DiscardOperation, token).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>The kit's lock, failure recording and log scope, measured (<see cref="CheckpointMetrics"/>).</summary>
    private Task<T> RunAsync<T>(TenantId tenantId, string operation, string measured, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        _metrics.MeasureAsync(measured, () => _kit.RunAsync(tenantId, operation, body, cancellationToken), cancellationToken);

    /// <summary>A serving tenant, with an interrupted restore finished first (the checkpoint is taken of the branch the tenant really lives on).</summary>
    private async Task<TenantRecord> RequireServingAsync(TenantId tenantId, string operation, CancellationToken cancellationToken)
    {
        var record = await _kit.RequireServingAsync(tenantId, operation, cancellationToken).ConfigureAwait(false);
        return await _restorer.ConvergeAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The preview branch's name, chosen before Neon is asked (an interrupted call finds the branch by it).</summary>
    private static string PreviewBranchName(TenantCheckpoint checkpoint, DateTimeOffset now) =>
        "preview-" + checkpoint.Id + "-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Applies the plan's retention before a new checkpoint: deletes those past their age, then the oldest until one more
    /// fits within the count; the checkpoint a pending restore uses is kept until the restore is finalized or discarded.
    /// Returns how many are left.
    /// </summary>
    private async Task<int> ExpireAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var retention = Retention(record);
        var checkpoints = (await Catalog.GetCheckpointsAsync(record.TenantId, cancellationToken).ConfigureAwait(false)).ToList();
        var inUse = record.PendingRestore?.CheckpointId; // a pending restore's checkpoint is kept until it is decided
        var now = _time.GetUtcNow();
        foreach (var oldest in checkpoints.ToList())
        {
            string reason;
            if (retention.MaxAge is { } maxAge && now - oldest.CreatedAt > maxAge)
            {
                reason = "older than " + maxAge.ToString("c", CultureInfo.InvariantCulture);
            }
            else if (retention.MaxCount is { } maxCount && checkpoints.Count >= maxCount)
            {
                reason = "the plan keeps " + maxCount.ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                break;
            }

            if (string.Equals(oldest.Id, inUse, StringComparison.Ordinal))
            {
                continue;
            }

            await DeleteCoreAsync(record, oldest, cancellationToken).ConfigureAwait(false);
            CheckpointLog.Expired(_logger, record.TenantId.Value, oldest.Id, reason);
            checkpoints.Remove(oldest);
        }

        return checkpoints.Count;
    }

    /// <summary>Takes the snapshot and waits for it; with <paramref name="retried"/> set, Neon's limit is the caller's typed error.</summary>
    private async Task<CreateSnapshotResponse> SnapshotAsync(TenantRecord record, string name, CancellationToken cancellationToken, int? retried = null)
    {
        try
        {
            return await _kit.MutateAsync(record.ProjectId!, t => Api.Snapshots.CreateSnapshotAsync(record.ProjectId!, record.BranchId!, name: name, cancellationToken: t),
                answer => answer.Operations, cancellationToken).ConfigureAwait(false);
        }
        catch (NeonPlanLimitException limit) when (retried is { } kept)
        {
            throw new TenantCheckpointLimitException(record.TenantId, kept, Retention(record).MaxCount, limit.ErrorCode, limit);
        }
    }

    /// <summary>
    /// Records the project's manual snapshots the catalog does not list (one project per tenant, so they are this
    /// tenant's: a checkpoint whose call was interrupted after Neon took it, or one taken in the console), so that they
    /// count, can be listed, restored and expired. Metadata <c>neon.tenancy.adopted</c> marks them; their own metadata
    /// was never recorded. Returns how many were recorded.
    /// </summary>
    private async Task<int> AdoptUnrecordedAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var snapshots = (await Api.Snapshots.ListSnapshotsAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false)).Snapshots;
        var recorded = await Catalog.GetCheckpointsAsync(record.TenantId, cancellationToken).ConfigureAwait(false);
        var adopted = 0;
        foreach (var snapshot in snapshots.Where(s => s.Manual != false && !recorded.Any(c => string.Equals(c.Id, s.Id, StringComparison.Ordinal))))
        {
            await Catalog.AddCheckpointAsync(new TenantCheckpoint
            {
                TenantId = record.TenantId,
                Id = snapshot.Id,
                Name = TenantRequestRules.BranchNameProblem(snapshot.Name) is null ? snapshot.Name : "unrecorded snapshot",
                CreatedAt = DateTimeOffset.TryParse(snapshot.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                    ? at : _time.GetUtcNow(),
                BranchId = snapshot.SourceBranchId,
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [AdoptedMetadataKey] = "a snapshot the catalog did not list" },
            }, cancellationToken).ConfigureAwait(false);
            CheckpointLog.Adopted(_logger, record.TenantId.Value, snapshot.Id);
            adopted++;
        }

        return adopted;
    }

    /// <summary>Deletes the snapshot (already gone counts as deleted), then the record.</summary>
    private async Task DeleteCoreAsync(TenantRecord record, TenantCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        if (record.ProjectId is { } projectId)
        {
            try
            {
                await _kit.MutateAsync(projectId, t => Api.Snapshots.DeleteSnapshotAsync(projectId, checkpoint.Id, t), answer => answer.Operations, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (NeonNotFoundException)
            {
                // Deleted already (an earlier attempt, its expiry, or by hand): deleting is idempotent.
            }
        }

        await Catalog.RemoveCheckpointAsync(record.TenantId, checkpoint.Id, cancellationToken).ConfigureAwait(false);
    }

    private CheckpointRetention Retention(TenantRecord record) => _plans?.GetCheckpointRetention(record.Plan) ?? CheckpointRetention.Unlimited;
}
