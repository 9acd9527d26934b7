using Microsoft.Extensions.Logging;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The restore path's steps against Neon: send (unless an interrupted call already did), wait, follow the branch the
/// tenant lives on, and the few reads that tell what got through. The entry points and stages are in TenantRestorer.cs.
/// </summary>
internal sealed partial class TenantRestorer
{
    /// <summary>
    /// Stage <see cref="TenantRestoreStage.Requested"/>: asks Neon unless an interrupted call already did, then completes.
    /// Every "did it get through?" look waits for the project's running operations first, so an interrupted call's
    /// operation that is still running is seen finished, not missing.
    /// </summary>
    private async Task<TenantRecord> SendAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var pending = record.PendingRestore!;
        var projectId = record.ProjectId!;
        await _kit.WaitForProjectAsync(projectId, cancellationToken).ConfigureAwait(false);
        switch (pending)
        {
            case { Kind: TenantRestoreKind.PointInTime }:
                if (await FindBranchAsync(projectId, pending.BranchName!, cancellationToken).ConfigureAwait(false) is null)
                {
                    var answer = await SendStepAsync(record, null, t => Api.Branches.RestoreProjectBranchAsync(projectId, pending.PreviousBranchId, new BranchRestoreRequest
                    {
                        SourceBranchId = pending.PreviousBranchId,
                        SourceTimestamp = pending.Timestamp,
                        SourceLsn = pending.Lsn,
                        PreserveUnderName = pending.BranchName,
                    }, t), cancellationToken).ConfigureAwait(false);
                    await WaitAsync(answer.Operations, cancellationToken).ConfigureAwait(false);
                }

                // The branch id stays; the compute restarted onto restored data, whose roles may carry other passwords
                // than before: the catalog takes Neon's connection strings again (a connection change everywhere).
                return await FollowAsync(record, pending.PreviousBranchId, cancellationToken).ConfigureAwait(false);

            case { Preview: false }:
                var serving = await ServingBranchAsync(record, cancellationToken).ConfigureAwait(false);
                if (serving is null || string.Equals(serving, pending.PreviousBranchId, StringComparison.Ordinal))
                {
                    var restored = await SendStepAsync(record, null, t => Api.Snapshots.RestoreSnapshotAsync(projectId, pending.CheckpointId!,
                        request: new RestoreSnapshotRequest { TargetBranchId = pending.PreviousBranchId, FinalizeRestore = true }, cancellationToken: t), cancellationToken).ConfigureAwait(false);
                    await WaitAsync(restored.Operations, cancellationToken).ConfigureAwait(false);
                    serving = restored.Branch.Id;
                }

                return await CompleteOnBranchAsync(record, serving, cancellationToken).ConfigureAwait(false);

            default:
                var preview = await FindBranchAsync(projectId, pending.BranchName!, cancellationToken).ConfigureAwait(false);
                if (preview is null)
                {
                    var restored = await SendStepAsync(record, null, t => Api.Snapshots.RestoreSnapshotAsync(projectId, pending.CheckpointId!,
                        request: new RestoreSnapshotRequest { Name = pending.BranchName, TargetBranchId = pending.PreviousBranchId, FinalizeRestore = false }, cancellationToken: t),
                        cancellationToken).ConfigureAwait(false);
                    await WaitAsync(restored.Operations, cancellationToken).ConfigureAwait(false);
                    preview = restored.Branch.Id;
                }

                var (endpointId, pooled, direct) = await TenantBranchConnections.ReadAsync(Api, _protector, _sslMode, record.TenantId, projectId, preview,
                    record.DatabaseName!, record.RoleName!, cancellationToken).ConfigureAwait(false);
                record = await _kit.UpdateAsync(record.TenantId, r => r with
                {
                    PendingRestore = pending with
                    {
                        Stage = TenantRestoreStage.Previewing,
                        BranchId = preview,
                        EndpointId = endpointId,
                        PooledConnectionSecret = pooled,
                        DirectConnectionSecret = direct,
                    },
                }, cancellationToken).ConfigureAwait(false);
                RestoreLog.PreviewReady(_logger, record.TenantId.Value, pending.CheckpointId, preview, pending.PreviousBranchId);
                return record;
        }
    }

    /// <summary>Stage <see cref="TenantRestoreStage.Finalizing"/>: asks Neon to finalize unless it already has, then completes.</summary>
    private async Task<TenantRecord> FinalizeCoreAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var pending = record.PendingRestore!;
        var projectId = record.ProjectId!;
        await _kit.WaitForProjectAsync(projectId, cancellationToken).ConfigureAwait(false);
        var serving = await ServingBranchAsync(record, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(serving, pending.BranchId, StringComparison.Ordinal))
        {
            var answer = await SendStepAsync(record, pending with { Stage = TenantRestoreStage.Previewing },
                t => Api.Branches.FinalizeRestoreBranchAsync(projectId, pending.BranchId!, cancellationToken: t), cancellationToken).ConfigureAwait(false);
            await WaitAsync(answer.Operations, cancellationToken).ConfigureAwait(false);
        }

        return await CompleteOnBranchAsync(record, pending.BranchId!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The tenant lives on <paramref name="branchId"/> now: the previous branch is deleted when so configured (first, and
    /// at best effort: a restore that happened never fails for its clean-up, and an interrupted call's next one deletes it
    /// again), then the catalog follows and the restore is over.
    /// </summary>
    private async Task<TenantRecord> CompleteOnBranchAsync(TenantRecord record, string branchId, CancellationToken cancellationToken)
    {
        var previous = record.PendingRestore!.PreviousBranchId;
        var fate = "kept";
        if (_deletePreviousBranch && !string.Equals(previous, branchId, StringComparison.Ordinal))
        {
            try
            {
                await DeleteBranchAsync(record.ProjectId!, previous, cancellationToken).ConfigureAwait(false);
                fate = "deleted";
            }
            catch (NeonApiException error) when (!cancellationToken.IsCancellationRequested)
            {
                RestoreLog.PreviousBranchNotDeleted(_logger, error, record.TenantId.Value, previous);
                fate = "kept: its deletion failed";
            }
        }

        record = await FollowAsync(record, branchId, cancellationToken).ConfigureAwait(false);
        await StepAsync("followed", cancellationToken).ConfigureAwait(false);
        RestoreLog.Finalized(_logger, record.TenantId.Value, branchId, previous, fate);
        return record;
    }

    /// <summary>
    /// Records <paramref name="branchId"/> as the tenant's branch with its endpoint and Neon's connection strings for it
    /// (a restored branch's roles carry the passwords they had at the restored point), and ends the restore. A connection
    /// change: the change feed makes every instance drop its cached data sources. An application role the restored
    /// branch does not have (created after the restored point) is dropped from the record, with a warning, rather than
    /// leaving the restore unable to finish.
    /// </summary>
    private async Task<TenantRecord> FollowAsync(TenantRecord record, string branchId, CancellationToken cancellationToken)
    {
        var (projectId, tenantId) = (record.ProjectId!, record.TenantId);
        var (endpointId, pooled, direct) = await TenantBranchConnections.ReadAsync(Api, _protector, _sslMode, tenantId, projectId, branchId,
            record.DatabaseName!, record.RoleName!, cancellationToken).ConfigureAwait(false);
        var application = (Role: record.ApplicationRoleName, Pooled: record.ApplicationPooledConnectionSecret, Direct: record.ApplicationDirectConnectionSecret);
        if (record.ApplicationRoleName is { } applicationRole && !record.ApplicationPooledConnectionSecret.IsEmpty)
        {
            try
            {
                var (_, appPooled, appDirect) = await TenantBranchConnections.ReadAsync(Api, _protector, _sslMode, tenantId, projectId, branchId,
                    record.DatabaseName!, applicationRole, cancellationToken, ConnectionSecretKind.ApplicationPooled, ConnectionSecretKind.ApplicationDirect).ConfigureAwait(false);
                application = (applicationRole, appPooled, appDirect);
            }
            catch (NeonNotFoundException)
            {
                RestoreLog.ApplicationRoleGone(_logger, tenantId.Value, applicationRole, branchId);
                application = (null, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
            }
        }

        return await _kit.UpdateAsync(tenantId, r => r with
        {
            BranchId = branchId,
            EndpointId = endpointId,
            PooledConnectionSecret = pooled,
            DirectConnectionSecret = direct,
            ApplicationRoleName = application.Role,
            ApplicationPooledConnectionSecret = application.Pooled,
            ApplicationDirectConnectionSecret = application.Direct,
            PendingRestore = null,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one restore call (not its operations' wait). When Neon answers it with a definite no, nothing happened: the
    /// record goes back to <paramref name="before"/> (no restore, or the preview) and the refusal is the caller's. Anything
    /// else (a timeout, a transient failure, a cancellation, a malformed answer) may have got through, so the stage stays
    /// for the next call to look.
    /// </summary>
    private async Task<T> SendStepAsync<T>(TenantRecord record, TenantPendingRestore? before, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        T answer;
        try
        {
            answer = await send(cancellationToken).ConfigureAwait(false);
        }
        catch (NeonApiException refused) when (IsRefusal(refused))
        {
            await _kit.UpdateAsync(record.TenantId, r => r with { PendingRestore = before }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await StepAsync("accepted", cancellationToken).ConfigureAwait(false);
        return answer;
    }

    /// <summary>Waits for the operations a restore call started (each must succeed; a failure keeps the stage, and the next call looks).</summary>
    private async Task WaitAsync(IEnumerable<Operation> operations, CancellationToken cancellationToken)
    {
        await _kit.WaitAsync(operations, cancellationToken).ConfigureAwait(false);
        await StepAsync("sent", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A definite no: Neon answered the call itself with a client error that trying again does not change. Not a timeout,
    /// a transient failure or a malformed answer: after those Neon may have done it, and the next call looks.
    /// </summary>
    private static bool IsRefusal(NeonApiException exception) =>
        !exception.IsTransient && exception.StatusCode is { } status && (int)status is >= 400 and < 500 && exception is not NeonMalformedResponseException;

    /// <summary>
    /// The branch Neon serves the tenant from: the branch its read-write endpoint (compute) is on now. A finalized
    /// restore moves the computes onto the restored branch and keeps their ids, so the endpoint the catalog records tells
    /// where the tenant lives whatever Neon does with branch names or the default flag. Without a recorded endpoint (or
    /// when Neon no longer knows it): the project's default branch. One call to Neon either way.
    /// </summary>
    private async Task<string?> ServingBranchAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var projectId = record.ProjectId!;
        if (record.EndpointId is { } endpointId)
        {
            try
            {
                var endpoint = await Api.Endpoints.GetProjectEndpointAsync(projectId, endpointId, cancellationToken).ConfigureAwait(false);
                return endpoint.Endpoint.BranchId;
            }
            catch (NeonNotFoundException)
            {
                // The compute is gone (deleted by hand): fall back to the default branch.
            }
        }

        await foreach (var branch in Api.Branches.ListAllProjectBranchesAsync(projectId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (branch.Default)
            {
                return branch.Id;
            }
        }

        return null;
    }

    private async Task<string?> FindBranchAsync(string projectId, string name, CancellationToken cancellationToken)
    {
        await foreach (var branch in Api.Branches.ListAllProjectBranchesAsync(projectId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(branch.Name, name, StringComparison.Ordinal))
            {
                return branch.Id;
            }
        }

        return null;
    }

    private async Task DeleteBranchAsync(string projectId, string branchId, CancellationToken cancellationToken)
    {
        try
        {
            await _kit.MutateAsync(projectId, t => Api.Branches.DeleteProjectBranchAsync(projectId, branchId, cancellationToken: t), answer => answer.Operations, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (NeonNotFoundException)
        {
            // Deleted already (an interrupted call, or by hand): deleting is idempotent.
        }
    }
}
