using Microsoft.Extensions.Logging;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>Provisioning: reserve, find or create the project, store its secrets, wait, initialize, application role, ready.</summary>
internal sealed partial class TenantDatabaseProvider
{
    /// <summary>Test hook: called at each <see cref="ProvisioningCheckpoint"/>; throwing there simulates a failure or a crash.</summary>
    internal Func<ProvisioningCheckpoint, CancellationToken, ValueTask>? Checkpoint { get; set; }

    public async Task<TenantRecord> ProvisionAsync(TenantId tenantId, TenantProvisionRequest request, CancellationToken cancellationToken = default)
    {
        ProvisioningRequestRules.Validate(tenantId, request);
        var settings = request.Settings ?? _plans?.GetSettings(request.Plan); // UnknownPlanException before any call
        var started = _time.GetTimestamp();
        var projectName = TenantProjectNames.For(tenantId, _prefix);

        TenantReservationResult reservation;
        try
        {
            reservation = await _catalog.ReserveAsync(new TenantReservation
            {
                TenantId = tenantId,
                Plan = request.Plan,
                ProjectName = projectName,
                Region = request.Region,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsProvisioningFailure(exception, cancellationToken))
        {
            throw ProvisioningFailed(tenantId, TenantProvisioningStep.Catalog, exception)!; // the catalog: never a NeonApiException
        }

        if (IsProvisioned(reservation.Record))
        {
            return reservation.Record;
        }

        try
        {
            return await _kit.LockedAsync(tenantId, token => ProvisionLockedAsync(tenantId, request, settings, projectName, started, token), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not NeonApiException && IsProvisioningFailure(exception, cancellationToken))
        {
            // Only the lock can fail here (its catalog connection): everything after it is handled with its step.
            throw ProvisioningFailed(tenantId, TenantProvisioningStep.Catalog, exception)!;
        }
    }

    private async Task<TenantRecord> ProvisionLockedAsync(TenantId tenantId, TenantProvisionRequest request, TenantPlanSettings? settings, string projectName, long started,
        CancellationToken cancellationToken)
    {
        var step = TenantProvisioningStep.Catalog;
        try
        {
            var record = await _kit.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
            if (IsProvisioned(record))
            {
                return record;
            }

            if (_pool is not null && await ClaimAsync(_pool, record, request, settings, s => step = s, cancellationToken).ConfigureAwait(false) is { } claimed)
            {
                Provisioned(claimed, "claimed", started);
                return claimed;
            }

            step = TenantProvisioningStep.Catalog;
            string outcome;
            IReadOnlyList<Operation> operations;
            if (record.ProjectId is null)
            {
                TenantProjectDetails? details = null;
                if (record.Version > 1)
                {
                    // An earlier attempt may have sent a create whose answer was lost: never create blindly.
                    step = TenantProvisioningStep.FindProject;
                    details = await FindProjectAsync(tenantId, record.ProjectName ?? projectName, request, cancellationToken).ConfigureAwait(false);
                }

                if (details is null)
                {
                    step = TenantProvisioningStep.Catalog;
                    // Also what provisions afresh a tenant deleted before it had a project.
                    record = await _catalog.UpdateAsync(record with
                    {
                        State = TenantState.Provisioning,
                        Plan = request.Plan,
                        Region = request.Region ?? record.Region,
                        Settings = request.Settings, // the tenant's own settings, kept: drift, reconcile and the pool size honour them
                        RecoverableUntil = null,
                    }, cancellationToken).ConfigureAwait(false);
                    await CheckpointAsync(ProvisioningCheckpoint.BeforeCreate, cancellationToken).ConfigureAwait(false);

                    step = TenantProvisioningStep.CreateProject;
                    ProvisioningLog.Creating(_logger, tenantId.Value, record.ProjectName ?? projectName);
                    var (database, role) = (request.DatabaseName ?? _options.DefaultDatabaseName, request.RoleName ?? _options.DefaultRoleName);
                    var created = await _api.Projects.CreateProjectAsync(
                        _setup.BuildCreateRequest(record.ProjectName ?? projectName, request.Region, request.PostgresVersion, database, role, settings), cancellationToken).ConfigureAwait(false);
                    details = _setup.FromCreateResponse(tenantId, created, database, role);
                    await CheckpointAsync(ProvisioningCheckpoint.AfterCreate, cancellationToken).ConfigureAwait(false);
                    outcome = "created";
                }
                else
                {
                    ProvisioningLog.Adopting(_logger, tenantId.Value, details.ProjectId);
                    outcome = "adopted";
                }

                step = TenantProvisioningStep.Catalog;
                record = await _catalog.UpdateAsync(record with
                {
                    State = TenantState.Provisioning, // plan and own settings: as recorded before the create was sent
                    ProjectId = details.ProjectId,
                    Region = details.Region,
                    BranchId = details.BranchId,
                    EndpointId = details.EndpointId,
                    DatabaseName = details.DatabaseName,
                    RoleName = details.RoleName,
                    PooledConnectionSecret = details.PooledSecret,
                    DirectConnectionSecret = details.DirectSecret,
                }, cancellationToken).ConfigureAwait(false);
                await CheckpointAsync(ProvisioningCheckpoint.AfterCatalogWrite, cancellationToken).ConfigureAwait(false);
                operations = details.Operations;
            }
            else
            {
                ProvisioningLog.Resuming(_logger, tenantId.Value, record.ProjectId);
                outcome = "resumed";
                operations = [];
            }

            step = TenantProvisioningStep.WaitForOperations;
            if (operations.Count > 0)
            {
                await _kit.WaitAsync(operations, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WaitForCreationAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false);
            }

            await CheckpointAsync(ProvisioningCheckpoint.AfterWait, cancellationToken).ConfigureAwait(false);

            var schemaVersion = record.SchemaVersion;
            if (_initializer is not null)
            {
                step = TenantProvisioningStep.Initialize;
                var direct = _protector.Unprotect(tenantId, ConnectionSecretKind.Direct, record.DirectConnectionSecret.Span);
                schemaVersion = await _initializer.InitializeAsync(new TenantInitializationContext(tenantId, direct, record.SchemaVersion), cancellationToken).ConfigureAwait(false);
            }

            // After the initializer, so the grants on existing tables cover what it created (default privileges cover
            // what the owner creates later). Skipped when an earlier attempt already stored the role's secrets.
            if (_options.ApplicationRoleName is { } applicationRole && record.ApplicationPooledConnectionSecret.IsEmpty)
            {
                step = TenantProvisioningStep.CreateApplicationRole;
                var project = new TenantProjectAddress(record.ProjectId!, record.BranchId!, record.EndpointId, record.DatabaseName ?? _options.DefaultDatabaseName);
                var secrets = await _setup.CreateApplicationRoleAsync(tenantId, project, record.DirectConnectionSecret, applicationRole, s => step = s,
                    t => CheckpointAsync(ProvisioningCheckpoint.AfterApplicationRoleGrants, t), cancellationToken).ConfigureAwait(false);
                step = TenantProvisioningStep.Catalog;
                record = await _catalog.UpdateAsync(record with
                {
                    ApplicationRoleName = applicationRole,
                    ApplicationPooledConnectionSecret = secrets.Pooled,
                    ApplicationDirectConnectionSecret = secrets.Direct,
                }, cancellationToken).ConfigureAwait(false);
            }

            step = TenantProvisioningStep.Catalog;
            record = await _catalog.UpdateAsync(record with { State = TenantState.Ready, SchemaVersion = schemaVersion, FailureReason = null }, cancellationToken).ConfigureAwait(false);

            Provisioned(record, outcome, started);
            return record;
        }
        catch (Exception exception) when (IsProvisioningFailure(exception, cancellationToken))
        {
            var failure = ProvisioningFailed(tenantId, step, exception);
            await _kit.RecordFailureAsync(tenantId, TenantFailureReasons.Describe(step.ToString(), exception), provisioning: true).ConfigureAwait(false);
            if (failure is null)
            {
                throw; // a Neon API failure escapes as itself, as from every tenant operation
            }

            throw failure;
        }
    }

    /// <summary>
    /// Whether provisioning failed in a way it reports as <see cref="TenantProvisioningException"/>: not a refusal
    /// (not found, wrong state) and not the caller's cancellation (an abandoned call, like a crash, leaves the record as
    /// it is and the next call resumes).
    /// </summary>
    private static bool IsProvisioningFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not (TenantNotFoundException or TenantStateException or TenantProvisioningException)
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <summary>
    /// Counts and logs a failed step; returns the exception to throw for a failure that is not Neon's, or
    /// <see langword="null"/> for a <see cref="NeonApiException"/>, which escapes as itself (the rule of every tenant
    /// operation, see <see cref="ITenantDatabaseProvider"/>).
    /// </summary>
    private TenantProvisioningException? ProvisioningFailed(TenantId tenantId, TenantProvisioningStep step, Exception exception)
    {
        _metrics.Failed(step, exception);
        ProvisioningLog.Failed(_logger, exception, tenantId.Value, step, (exception as NeonApiException)?.RequestId);
        return exception is NeonApiException ? null : new TenantProvisioningException(tenantId, step, exception);
    }

    /// <summary>
    /// The warm pool's path: a claim for a tenant that never had a create sent (its record at version 1: no project of its
    /// own can exist), or the end of a claim an earlier call began. <see langword="null"/>: the cold path runs.
    /// </summary>
    private Task<TenantRecord?> ClaimAsync(ITenantProjectPool pool, TenantRecord record, TenantProvisionRequest request, TenantPlanSettings? settings,
        Action<TenantProvisioningStep> enter, CancellationToken cancellationToken)
    {
        var steps = new ProvisioningSteps(enter, CheckpointAsync);
        return record.ProjectId is null
            ? record.Version == 1 ? pool.TryClaimAsync(record, request, settings, steps, cancellationToken) : Task.FromResult<TenantRecord?>(null)
            : pool.ResumeAsync(record, steps, cancellationToken);
    }

    private void Provisioned(TenantRecord record, string outcome, long started)
    {
        var elapsed = _time.GetElapsedTime(started).TotalSeconds;
        _metrics.Provisioned(elapsed, outcome);
        ProvisioningLog.Provisioned(_logger, record.TenantId.Value, record.ProjectId!, outcome, elapsed);
    }

    private async ValueTask CheckpointAsync(ProvisioningCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        if (Checkpoint is { } hook)
        {
            await hook(checkpoint, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for the operations of this tenant's own project creation that have not ended (provisioning resumed after
    /// a crash): unlike the wait before a mutation, each must succeed, or the project is not usable.
    /// </summary>
    private async Task WaitForCreationAsync(string projectId, CancellationToken cancellationToken)
    {
        var running = await _kit.RunningOperationsAsync(projectId, cancellationToken).ConfigureAwait(false);
        if (running.Count > 0)
        {
            await _kit.WaitAsync(running, cancellationToken).ConfigureAwait(false);
        }
    }
}
