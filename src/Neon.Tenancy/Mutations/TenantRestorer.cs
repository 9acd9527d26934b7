using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The one restore path, for point-in-time and checkpoint restores alike: each step is recorded on the tenant first
/// (<see cref="TenantRecord.PendingRestore"/>), then Neon is asked, then the catalog follows. A crash or timeout at any
/// step leaves a record the tenant's next restore call (or checkpoint) reads and finishes: it looks at Neon to tell
/// whether the interrupted call got through, and never asks twice for what was done.
/// </summary>
/// <remarks>
/// <para>Stages (<see cref="TenantRestoreStage"/>): <c>Requested</c> (recorded; Neon may or may not have it) ->
/// done, or <c>Previewing</c> (a checkpoint's state on a preview branch of its own) -> <c>Finalizing</c> -> done, or
/// discarded. How the next call tells what got through: a point-in-time restore made the branch named
/// <see cref="TenantPendingRestore.BranchName"/> (Neon's <c>preserve_under_name</c>); a finalized checkpoint restore
/// moved the tenant's compute off <see cref="TenantPendingRestore.PreviousBranchId"/>; a preview made the branch named
/// <see cref="TenantPendingRestore.BranchName"/>. Each look waits for the project's running operations first. The
/// steps against Neon are in TenantRestorer.Steps.cs.</para>
/// <para>Every method runs inside the tenant's lock (the caller's <see cref="TenantMutator.RunAsync{T}"/>).</para>
/// </remarks>
internal sealed partial class TenantRestorer
{
    private readonly TenantMutator _kit;
    private readonly IConnectionSecretProtector _protector;
    private readonly SslMode? _sslMode;
    private readonly bool _deletePreviousBranch;
    private readonly ILogger _logger;

    public TenantRestorer(TenantMutator kit, IConnectionSecretProtector protector, SslMode? sslMode, bool deletePreviousBranch, ILogger<TenantRestorer>? logger = null)
    {
        _kit = kit;
        _protector = protector;
        _sslMode = sslMode;
        _deletePreviousBranch = deletePreviousBranch;
        _logger = logger ?? NullLogger<TenantRestorer>.Instance;
    }

    /// <summary>Test hook: runs after each durable step (its name), so a test can stop the call there as a crash would.</summary>
    internal Func<string, CancellationToken, Task>? AfterStep { get; set; }

    private NeonApiClient Api => _kit.Api;

    /// <summary>
    /// Starts <paramref name="restore"/> (stage <see cref="TenantRestoreStage.Requested"/>) on a serving tenant and runs
    /// it as far as it goes without the caller: done, or previewing.
    /// </summary>
    /// <returns>The record after the restore, and the restore that ran: <paramref name="restore"/>, or the same request an
    /// earlier call recorded and was interrupted in (its <see cref="TenantPendingRestore.BranchName"/> is the one made).</returns>
    /// <exception cref="TenantStateException">A preview is pending: finalize or discard it first.</exception>
    public async Task<(TenantRecord Record, TenantPendingRestore Restore)> StartAsync(TenantRecord record, TenantPendingRestore restore, string operation,
        CancellationToken cancellationToken)
    {
        // The same restore asked again after it was interrupted before Neon was sure to have it: finishing it is the answer
        // (not a second restore); the same preview asked again once it is ready: that preview.
        if (record.PendingRestore is { } earlier && IsSameRequest(earlier, restore))
        {
            if (earlier.Stage == TenantRestoreStage.Requested)
            {
                return (await ConvergeAsync(record, cancellationToken).ConfigureAwait(false), earlier);
            }

            if (earlier.Stage == TenantRestoreStage.Previewing)
            {
                return (record, earlier);
            }
        }

        record = await ConvergeAsync(record, cancellationToken).ConfigureAwait(false);

        if (record.PendingRestore is { } pending)
        {
            throw new TenantStateException(record.TenantId, record.State, operation,
                $"a restore preview of checkpoint {pending.CheckpointId} is pending on branch {pending.BranchId}; FinalizeRestoreAsync or DiscardRestoreAsync decides it first");
        }

        // The name the next call finds what this one made by must not be taken already.
        if (restore.BranchName is { } name && await FindBranchAsync(record.ProjectId!, name, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ArgumentException($"Tenant '{record.TenantId}': its project already has a branch named '{name}', the name this restore would give the branch it makes; delete or rename that branch, or (for a point-in-time restore) choose another PreserveUnderName.", "request");
        }

        record = await _kit.UpdateAsync(record.TenantId, r => r with { PendingRestore = restore with { PreviousBranchId = r.BranchId! } }, cancellationToken).ConfigureAwait(false);
        await StepAsync("requested", cancellationToken).ConfigureAwait(false);
        return (await SendAsync(record, cancellationToken).ConfigureAwait(false), record.PendingRestore!);
    }

    /// <summary>
    /// Finishes what an interrupted call left (any stage but <see cref="TenantRestoreStage.Previewing"/>, which waits
    /// for the caller), and with no restore pending brings the catalog to the branch Neon serves the tenant from.
    /// </summary>
    public async Task<TenantRecord> ConvergeAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        if (record.PendingRestore is not { } pending)
        {
            var serving = await ServingBranchAsync(record, cancellationToken).ConfigureAwait(false);
            if (serving is null || string.Equals(serving, record.BranchId, StringComparison.Ordinal))
            {
                return record;
            }

            RestoreLog.FollowedBranch(_logger, record.TenantId.Value, serving, record.BranchId!);
            return await FollowAsync(record, serving, cancellationToken).ConfigureAwait(false);
        }

        if (pending.Stage == TenantRestoreStage.Previewing)
        {
            return record;
        }

        RestoreLog.Resumed(_logger, record.TenantId.Value, pending.Kind, pending.StartedAt, pending.Stage);
        return pending.Stage == TenantRestoreStage.Finalizing
            ? await FinalizeCoreAsync(record, cancellationToken).ConfigureAwait(false)
            : await SendAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves the tenant onto its preview branch (stage <see cref="TenantRestoreStage.Finalizing"/>, then done).</summary>
    /// <exception cref="TenantStateException">No preview is pending.</exception>
    public async Task<TenantRecord> FinalizeAsync(TenantRecord record, string operation, CancellationToken cancellationToken)
    {
        // Finalizing again after an interrupted finalize: finishing it is the answer.
        var again = record.PendingRestore is { Stage: TenantRestoreStage.Finalizing };
        record = await ConvergeAsync(record, cancellationToken).ConfigureAwait(false);
        if (again)
        {
            return record;
        }

        if (record.PendingRestore is not { Stage: TenantRestoreStage.Previewing } pending)
        {
            throw new TenantStateException(record.TenantId, record.State, operation, "no restore preview is pending; RestoreCheckpointAsync with a preview starts one");
        }

        record = await _kit.UpdateAsync(record.TenantId, r => r with { PendingRestore = pending with { Stage = TenantRestoreStage.Finalizing } }, cancellationToken).ConfigureAwait(false);
        await StepAsync("finalizing", cancellationToken).ConfigureAwait(false);
        return await FinalizeCoreAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the preview branch and forgets the restore; the tenant's data is as it was. Also the way out of an
    /// interrupted restore that cannot finish (its next call keeps failing): it is abandoned without being finished, its
    /// preview branch (if Neon made one) deleted, and the catalog follows the branch Neon serves the tenant from.
    /// </summary>
    /// <exception cref="TenantStateException">No restore is pending.</exception>
    public async Task<TenantRecord> DiscardAsync(TenantRecord record, string operation, CancellationToken cancellationToken)
    {
        if (record.PendingRestore is not { } pending)
        {
            throw new TenantStateException(record.TenantId, record.State, operation, "no restore is pending");
        }

        await _kit.WaitForProjectAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false);
        var previewBranch = pending.BranchId
            ?? (pending is { Preview: true, BranchName: { } name } ? await FindBranchAsync(record.ProjectId!, name, cancellationToken).ConfigureAwait(false) : null);
        if (pending.Stage != TenantRestoreStage.Previewing)
        {
            // Abandoned: only a preview that still is one is deleted (a finalize that got through made it the tenant's branch).
            var serving = await ServingBranchAsync(record, cancellationToken).ConfigureAwait(false);
            if (string.Equals(serving, previewBranch, StringComparison.Ordinal))
            {
                previewBranch = null;
            }

            RestoreLog.Resumed(_logger, record.TenantId.Value, pending.Kind, pending.StartedAt, pending.Stage);
        }

        if (previewBranch is not null)
        {
            await DeleteBranchAsync(record.ProjectId!, previewBranch, cancellationToken).ConfigureAwait(false);
        }

        if (pending.Stage != TenantRestoreStage.Previewing)
        {
            record = await _kit.UpdateAsync(record.TenantId, r => r with { PendingRestore = null }, cancellationToken).ConfigureAwait(false);
            return await ConvergeAsync(record, cancellationToken).ConfigureAwait(false);
        }

        await StepAsync("preview deleted", cancellationToken).ConfigureAwait(false);
        record = await _kit.UpdateAsync(record.TenantId, r => r with { PendingRestore = null }, cancellationToken).ConfigureAwait(false);
        RestoreLog.Discarded(_logger, record.TenantId.Value, previewBranch);
        return record;
    }

    /// <summary>The preview's direct connection string, decrypted (for a connection the caller owns).</summary>
    /// <exception cref="TenantStateException">No preview is ready.</exception>
    public string PreviewConnectionString(TenantRecord record, string operation) =>
        record.PendingRestore is { Stage: TenantRestoreStage.Previewing, DirectConnectionSecret.IsEmpty: false } pending
            ? _protector.Unprotect(record.TenantId, ConnectionSecretKind.Direct, pending.DirectConnectionSecret.Span)
            : throw new TenantStateException(record.TenantId, record.State, operation, "no restore preview is ready; RestoreCheckpointAsync with a preview starts one");

    private static bool IsSameRequest(TenantPendingRestore a, TenantPendingRestore b) =>
        a.Kind == b.Kind && a.Preview == b.Preview && a.Timestamp == b.Timestamp
        && string.Equals(a.Lsn, b.Lsn, StringComparison.Ordinal)
        && string.Equals(a.CheckpointId, b.CheckpointId, StringComparison.Ordinal);

    private Task StepAsync(string step, CancellationToken cancellationToken) => AfterStep?.Invoke(step, cancellationToken) ?? Task.CompletedTask;
}
