using System.Globalization;

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
            return await _setup.RotateAllAsync(record, token).ConfigureAwait(false);
        }, cancellationToken);
}
