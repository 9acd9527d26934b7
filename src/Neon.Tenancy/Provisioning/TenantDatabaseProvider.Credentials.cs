using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>Point-in-time restore (through the shared restore path, <see cref="TenantRestorer"/>) and credential rotation.</summary>
internal sealed partial class TenantDatabaseProvider
{
    public Task<TenantRestoreResult> RestoreAsync(TenantId tenantId, TenantRestoreRequest request, CancellationToken cancellationToken = default)
    {
        ProvisioningRequestRules.Validate(tenantId, request);

        return _kit.RunAsync(tenantId, "restore", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "restore", token).ConfigureAwait(false);
            var preserveUnder = request.PreserveUnderName
                ?? "pre-restore-" + _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

            // The shared restore path: recorded first, so an interrupted restore is finished by the next restore call.
            (record, var restored) = await _restorer.StartAsync(record, new TenantPendingRestore
            {
                Kind = TenantRestoreKind.PointInTime,
                Stage = TenantRestoreStage.Requested,
                Timestamp = request.Timestamp,
                Lsn = string.IsNullOrEmpty(request.Lsn) ? null : request.Lsn,
                BranchName = preserveUnder,
                PreviousBranchId = record.BranchId!,
                StartedAt = _time.GetUtcNow(),
            }, "restore", token).ConfigureAwait(false);
            ProvisioningLog.Restored(_logger, tenantId.Value, record.BranchId!, restored.BranchName!);
            return new TenantRestoreResult(record, restored.BranchName!);
        }, cancellationToken);
    }

    public Task<TenantRecord> RotateCredentialsAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "credential rotation", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "credential rotation", token).ConfigureAwait(false);
            record = await RotateRoleAsync(record, record.RoleName!, ConnectionSecretKind.Pooled, ConnectionSecretKind.Direct, token).ConfigureAwait(false);
            if (record.ApplicationRoleName is { } applicationRole && !record.ApplicationPooledConnectionSecret.IsEmpty)
            {
                // The application role second, the same way (after the owner's operations ended: one project, one mutation at a time).
                record = await RotateRoleAsync(record, applicationRole, ConnectionSecretKind.ApplicationPooled, ConnectionSecretKind.ApplicationDirect, token).ConfigureAwait(false);
            }

            return record;
        }, cancellationToken);

    /// <summary>
    /// Resets one role's password and stores it at once, before waiting for Neon's operation: Neon keeps the old password
    /// valid until the operation finishes, and the connection layer switches as soon as the change feed reports it.
    /// </summary>
    private async Task<TenantRecord> RotateRoleAsync(TenantRecord record, string role, ConnectionSecretKind pooledKind, ConnectionSecretKind directKind,
        CancellationToken cancellationToken)
    {
        var tenantId = record.TenantId;
        var reset = await _kit.SendAsync(record.ProjectId!, t => _api.Branches.ResetProjectBranchRolePasswordAsync(record.ProjectId!, record.BranchId!, role, t), cancellationToken)
            .ConfigureAwait(false);
        var password = reset.Role.Password
            ?? throw new InvalidOperationException($"Neon did not return the new password of role '{role}' of tenant '{tenantId}'.");
        var pooled = pooledKind == ConnectionSecretKind.Pooled;
        record = await _kit.UpdateAsync(tenantId, r => pooled
            ? r with
            {
                PooledConnectionSecret = WithPassword(tenantId, pooledKind, r.PooledConnectionSecret, password),
                DirectConnectionSecret = WithPassword(tenantId, directKind, r.DirectConnectionSecret, password),
            }
            : r with
            {
                ApplicationPooledConnectionSecret = WithPassword(tenantId, pooledKind, r.ApplicationPooledConnectionSecret, password),
                ApplicationDirectConnectionSecret = WithPassword(tenantId, directKind, r.ApplicationDirectConnectionSecret, password),
            }, cancellationToken).ConfigureAwait(false);
        await _kit.WaitAsync(reset.Operations, cancellationToken).ConfigureAwait(false);
        ProvisioningLog.Rotated(_logger, tenantId.Value, role);
        return record;
    }

    private byte[] WithPassword(TenantId tenantId, ConnectionSecretKind kind, ReadOnlyMemory<byte> secret, string password) =>
        _protector.Protect(tenantId, kind, TenantConnectionStrings.WithPassword(_protector.Unprotect(tenantId, kind, secret.Span), password));
}
