using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="ITenantCheckpoints"/>: Neon snapshots through the tenant-change kit (<see cref="TenantMutator"/>:
/// the tenant's lock, a wait for the project's running operations), recorded in the catalog.
/// </summary>
internal sealed class TenantCheckpoints : ITenantCheckpoints
{
    private const string CreateOperation = "checkpoint", DeleteOperation = "checkpoint deletion", RestoreOperation = "checkpoint restore";

    private readonly TenantMutator _kit;
    private readonly IConnectionSecretProtector _protector;
    private readonly TenantProvisioningOptions _options;
    private readonly PlanBook? _plans;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TenantCheckpoints(
        TenantMutator kit,
        IConnectionSecretProtector protector,
        IOptions<TenantProvisioningOptions> options,
        TimeProvider timeProvider,
        ILogger<TenantCheckpoints>? logger = null,
        PlanBook? plans = null)
    {
        _kit = kit;
        _protector = protector;
        _options = options.Value;
        _plans = plans;
        _time = timeProvider;
        _logger = logger ?? NullLogger<TenantCheckpoints>.Instance;
    }

    private ITenantCatalog Catalog => _kit.Catalog;

    private NeonApiClient Api => _kit.Api;

    public Task<TenantCheckpoint> CreateCheckpointAsync(TenantId tenantId, string name, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        // The record's rules (name, metadata) are checked before anything is sent: a refused checkpoint leaves no snapshot.
        var draft = new TenantCheckpoint
        {
            TenantId = tenantId,
            Id = "pending",
            Name = name,
            CreatedAt = default,
            Metadata = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal),
        };
        TenantRequestRules.Validate(tenantId);
        CatalogRules.Validate(draft);

        return _kit.RunAsync(tenantId, CreateOperation, async token =>
        {
            var record = await RequireServingOnCurrentBranchAsync(tenantId, CreateOperation, token).ConfigureAwait(false);
            var kept = await ExpireAsync(record, token).ConfigureAwait(false);
            CreateSnapshotResponse created;
            try
            {
                created = await _kit.MutateAsync(record.ProjectId!, t => Api.Snapshots.CreateSnapshotAsync(record.ProjectId!, record.BranchId!, name: name, cancellationToken: t),
                    answer => answer.Operations, token).ConfigureAwait(false);
            }
            catch (NeonPlanLimitException limit)
            {
                throw new TenantCheckpointLimitException(tenantId, kept, Retention(record).MaxCount, limit.ErrorCode, limit);
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
        return _kit.RunAsync(tenantId, DeleteOperation, async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            var checkpoint = await GetCheckpointAsync(tenantId, checkpointId, token).ConfigureAwait(false);
            if (checkpoint is null)
            {
                return false;
            }

            await DeleteCoreAsync(record, checkpoint, token).ConfigureAwait(false);
            CheckpointLog.Deleted(_logger, tenantId.Value, checkpointId);
            return true;
        }, cancellationToken);
    }

    public Task<TenantRecord> RestoreCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        CatalogRules.RequireCheckpointId(checkpointId, nameof(checkpointId));
        return _kit.RunAsync(tenantId, RestoreOperation, async token =>
        {
            var record = await RequireServingOnCurrentBranchAsync(tenantId, RestoreOperation, token).ConfigureAwait(false);
            var checkpoint = await GetCheckpointAsync(tenantId, checkpointId, token).ConfigureAwait(false)
                ?? throw new TenantCheckpointNotFoundException(tenantId, checkpointId);
            var previous = record.BranchId!;
            var restored = await _kit.MutateAsync(record.ProjectId!, t => Api.Snapshots.RestoreSnapshotAsync(record.ProjectId!, checkpoint.Id,
                request: new RestoreSnapshotRequest { TargetBranchId = previous, FinalizeRestore = true }, cancellationToken: t),
                answer => answer.Operations, token).ConfigureAwait(false);
            record = await FollowBranchAsync(record, restored.Branch.Id, token).ConfigureAwait(false);
            CheckpointLog.Restored(_logger, tenantId.Value, checkpoint.Id, record.BranchId!, previous);
            return record;
        }, cancellationToken);
    }

    /// <summary>
    /// Reads a serving tenant and, when Neon serves it from another branch than the catalog records (a finalized restore
    /// whose catalog write was interrupted), brings the catalog to that branch first: every step after works on the
    /// branch the tenant really lives on. One call to Neon.
    /// </summary>
    private async Task<TenantRecord> RequireServingOnCurrentBranchAsync(TenantId tenantId, string operation, CancellationToken cancellationToken)
    {
        var record = await _kit.RequireServingAsync(tenantId, operation, cancellationToken).ConfigureAwait(false);
        var branches = await Api.Branches.ListProjectBranchesAsync(record.ProjectId!, cancellationToken: cancellationToken).ConfigureAwait(false);
        var serving = branches.Branches.FirstOrDefault(b => b.Default);
        if (serving is null || string.Equals(serving.Id, record.BranchId, StringComparison.Ordinal))
        {
            return record;
        }

        CheckpointLog.FollowedBranch(_logger, tenantId.Value, serving.Id, record.BranchId!);
        return await FollowBranchAsync(record, serving.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records <paramref name="branchId"/> as the tenant's branch, with its endpoint and Neon's connection strings for it
    /// (the restored branch's roles carry the passwords they had at the checkpoint). A connection change: the change
    /// feed makes every instance drop its cached data sources.
    /// </summary>
    private async Task<TenantRecord> FollowBranchAsync(TenantRecord record, string branchId, CancellationToken cancellationToken)
    {
        var (projectId, tenantId) = (record.ProjectId!, record.TenantId);
        var (endpointId, pooled, direct) = await TenantBranchConnections.ReadAsync(Api, _protector, _options.SslMode, tenantId, projectId, branchId,
            record.DatabaseName!, record.RoleName!, cancellationToken).ConfigureAwait(false);
        (byte[] Pooled, byte[] Direct)? application = null;
        if (record.ApplicationRoleName is { } applicationRole && !record.ApplicationPooledConnectionSecret.IsEmpty)
        {
            var (_, appPooled, appDirect) = await TenantBranchConnections.ReadAsync(Api, _protector, _options.SslMode, tenantId, projectId, branchId,
                record.DatabaseName!, applicationRole, cancellationToken, ConnectionSecretKind.ApplicationPooled, ConnectionSecretKind.ApplicationDirect).ConfigureAwait(false);
            application = (appPooled, appDirect);
        }

        return await _kit.UpdateAsync(tenantId, r => r with
        {
            BranchId = branchId,
            EndpointId = endpointId,
            PooledConnectionSecret = pooled,
            DirectConnectionSecret = direct,
            ApplicationPooledConnectionSecret = application?.Pooled ?? r.ApplicationPooledConnectionSecret,
            ApplicationDirectConnectionSecret = application?.Direct ?? r.ApplicationDirectConnectionSecret,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the plan's retention before a new checkpoint: deletes those past their age, then the oldest until one more
    /// fits within the count. Returns how many are left.
    /// </summary>
    private async Task<int> ExpireAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var retention = Retention(record);
        var checkpoints = (await Catalog.GetCheckpointsAsync(record.TenantId, cancellationToken).ConfigureAwait(false)).ToList();
        var now = _time.GetUtcNow();
        while (checkpoints.Count > 0)
        {
            var oldest = checkpoints[0];
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

            await DeleteCoreAsync(record, oldest, cancellationToken).ConfigureAwait(false);
            CheckpointLog.Expired(_logger, record.TenantId.Value, oldest.Id, reason);
            checkpoints.RemoveAt(0);
        }

        return checkpoints.Count;
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
