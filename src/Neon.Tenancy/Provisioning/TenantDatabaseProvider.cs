using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>Where <see cref="TenantDatabaseProvider.Checkpoint"/> is called during provisioning (tests simulate crashes there).</summary>
internal enum ProvisioningCheckpoint
{
    /// <summary>Reserved and locked; no create sent yet.</summary>
    BeforeCreate,

    /// <summary>The create call answered; its result is not in the catalog yet.</summary>
    AfterCreate,

    /// <summary>Ids and secrets are in the catalog; the operations have not been waited for.</summary>
    AfterCatalogWrite,

    /// <summary>The operations ended; the initializer has not run.</summary>
    AfterWait,

    /// <summary>The application role exists (created, or its password reset) and its grants are applied; its secrets are not in the catalog yet.</summary>
    AfterApplicationRoleGrants,
}

/// <summary>
/// The default <see cref="ITenantDatabaseProvider"/>.
/// </summary>
/// <remarks>
/// <para>Exclusion and waiting: every lifecycle mutation of one tenant goes through <see cref="TenantMutator"/>: it runs
/// under the tenant's lock and waits for the project's running operations before each change, so mutations of one
/// project neither race nor collide into 423.</para>
/// <para>Idempotency without idempotency keys: before sending a create, the provider bumps the record's version under
/// the lock (a "create attempted" marker). A record still at version 1 has never had a create sent, so the happy path
/// skips the search; any later attempt looks for the project by its deterministic name first and adopts it.</para>
/// <para>A tenant deleted before it had a project (reserved, its create never sent, or sent and never answered with a
/// project Neon has) is <see cref="TenantState.Deleted"/> without a project: nothing to recover, and
/// <see cref="ProvisionAsync"/> provisions it afresh.</para>
/// </remarks>
internal sealed class TenantDatabaseProvider : ITenantDatabaseProvider
{
    private readonly TenantMutator _kit;
    private readonly ITenantCatalog _catalog;
    private readonly NeonApiClient _api;
    private readonly IConnectionSecretProtector _protector;
    private readonly ITenantDatabaseInitializer? _initializer;
    private readonly TenantProvisioningOptions _options;
    private readonly IOptionsMonitor<NeonApiOptions> _apiOptions;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ProvisioningMetrics _metrics;
    private readonly PlanBook? _plans;

    public TenantDatabaseProvider(
        TenantMutator kit,
        IConnectionSecretProtector protector,
        IOptions<NeonTenancyOptions> tenancyOptions,
        IOptions<TenantProvisioningOptions> options,
        IOptionsMonitor<NeonApiOptions> apiOptions,
        TimeProvider timeProvider,
        ILogger<TenantDatabaseProvider>? logger = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null,
        ITenantDatabaseInitializer? initializer = null,
        PlanBook? plans = null)
    {
        _kit = kit;
        _catalog = kit.Catalog;
        _api = kit.Api;
        _protector = protector;
        _prefix = tenancyOptions.Value.ProjectNamePrefix;
        _options = options.Value;
        _apiOptions = apiOptions;
        _time = timeProvider;
        _logger = logger ?? NullLogger<TenantDatabaseProvider>.Instance;
        _metrics = new ProvisioningMetrics(meterFactory);
        _initializer = initializer;
        _plans = plans;
    }

    /// <summary>Test hook: called at each <see cref="ProvisioningCheckpoint"/>; throwing there simulates a failure or a crash.</summary>
    internal Func<ProvisioningCheckpoint, CancellationToken, ValueTask>? Checkpoint { get; set; }

    internal ITenantLock Lock => _kit.Lock;

    public async Task<TenantDatabase> ProvisionAsync(TenantId tenantId, TenantProvisionRequest request, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId, request);
        request = request.Settings is null && _plans is not null ? request with { Settings = _plans.GetSettings(request.Plan) } : request; // UnknownPlanException before any call
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
            throw ProvisioningFailed(tenantId, TenantProvisioningStep.Catalog, exception);
        }

        if (IsProvisioned(reservation.Record))
        {
            return TenantDatabase.From(reservation.Record);
        }

        try
        {
            return await _kit.RunAsync(tenantId, "provisioning", token => ProvisionLockedAsync(tenantId, request, projectName, started, token), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (IsProvisioningFailure(exception, cancellationToken))
        {
            // Only the lock can fail here (its catalog connection): everything after it is wrapped with its step.
            throw ProvisioningFailed(tenantId, TenantProvisioningStep.Catalog, exception);
        }
    }

    private async Task<TenantDatabase> ProvisionLockedAsync(TenantId tenantId, TenantProvisionRequest request, string projectName, long started,
        CancellationToken cancellationToken)
    {
        var step = TenantProvisioningStep.Catalog;
        try
        {
            var record = await _kit.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
            if (IsProvisioned(record))
            {
                return TenantDatabase.From(record);
            }

            string outcome;
            IReadOnlyList<Operation> operations;
            if (record.ProjectId is null)
            {
                ProjectDetails? details = null;
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
                        RecoverableUntil = null,
                    }, cancellationToken).ConfigureAwait(false);
                    await CheckpointAsync(ProvisioningCheckpoint.BeforeCreate, cancellationToken).ConfigureAwait(false);

                    step = TenantProvisioningStep.CreateProject;
                    ProvisioningLog.Creating(_logger, tenantId.Value, record.ProjectName ?? projectName);
                    var created = await _api.Projects.CreateProjectAsync(BuildCreateRequest(record.ProjectName ?? projectName, request), cancellationToken).ConfigureAwait(false);
                    details = FromCreateResponse(tenantId, created, request);
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
                    State = TenantState.Provisioning,
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
                var secrets = await ProvisionApplicationRoleAsync(tenantId, record, applicationRole, s => step = s, cancellationToken).ConfigureAwait(false);
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

            var elapsed = _time.GetElapsedTime(started).TotalSeconds;
            _metrics.Provisioned(elapsed, outcome);
            ProvisioningLog.Provisioned(_logger, tenantId.Value, record.ProjectId, outcome, elapsed);
            return TenantDatabase.From(record);
        }
        catch (Exception exception) when (IsProvisioningFailure(exception, cancellationToken))
        {
            var failure = ProvisioningFailed(tenantId, step, exception);
            await _kit.RecordFailureAsync(tenantId, TenantFailureReasons.Describe(step, exception), provisioning: true).ConfigureAwait(false);
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

    private TenantProvisioningException ProvisioningFailed(TenantId tenantId, TenantProvisioningStep step, Exception exception)
    {
        _metrics.Failed(step, exception);
        ProvisioningLog.Failed(_logger, exception, tenantId.Value, step, (exception as NeonApiException)?.RequestId);
        return new TenantProvisioningException(tenantId, step, exception);
    }

    public async Task<TenantDatabase?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await _catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return record is null ? null : TenantDatabase.From(record);
    }

    public async IAsyncEnumerable<TenantDatabase> ListAsync(TenantState? state = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await _catalog.ListAsync(new TenantQuery { State = state, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items)
            {
                yield return TenantDatabase.From(record);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public Task<TenantDeletion> DeleteAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "delete", async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            if (record.State == TenantState.Deleted)
            {
                return new TenantDeletion(TenantDatabase.From(record), record.RecoverableUntil);
            }

            // Version 1 is a reservation no create was ever sent for (the marker below ProvisionAsync's lock): no project
            // can exist. After that a create may have been sent and its answer lost, so look for the project by name.
            var createSent = record.ProjectId is not null || record.Version > 1;
            record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Deleting }, token).ConfigureAwait(false);
            var projectId = record.ProjectId;
            if (projectId is null && createSent)
            {
                projectId = (await FindProjectByNameAsync(tenantId, record.ProjectName ?? TenantProjectNames.For(tenantId, _prefix), token).ConfigureAwait(false))?.Id;
            }

            if (projectId is not null)
            {
                try
                {
                    await _kit.SendAsync(projectId, t => _api.Projects.DeleteProjectAsync(projectId, t), token).ConfigureAwait(false);
                }
                catch (NeonNotFoundException)
                {
                    // Already deleted (by an earlier attempt or by hand): deleting is idempotent.
                }
            }

            // Without a project there is nothing to recover: the tenant is Deleted with no deadline, and ProvisionAsync
            // provisions it afresh.
            DateTimeOffset? until = projectId is null ? null : _time.GetUtcNow() + _options.RecoveryWindow;
            record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Deleted, ProjectId = r.ProjectId ?? projectId, RecoverableUntil = until }, token)
                .ConfigureAwait(false);
            if (projectId is null)
            {
                ProvisioningLog.DeletedWithoutProject(_logger, tenantId.Value);
            }
            else
            {
                ProvisioningLog.Deleted(_logger, tenantId.Value, projectId, until!.Value);
            }

            return new TenantDeletion(TenantDatabase.From(record), record.RecoverableUntil); // as stored (the catalog may round it)
        }, cancellationToken);

    public Task<TenantDatabase> RecoverAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "recover", async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            if (record.State == TenantState.Ready)
            {
                return TenantDatabase.From(record);
            }

            if (record.State != TenantState.Deleted || record.ProjectId is null)
            {
                throw new TenantStateException(tenantId, record.State, "recover", RefusalReason(record));
            }

            var projectId = record.ProjectId;
            await _kit.SendAsync(projectId, t => _api.Projects.RecoverProjectAsync(projectId, t), token).ConfigureAwait(false);
            await _kit.WaitForProjectAsync(projectId, token).ConfigureAwait(false);
            record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Ready, RecoverableUntil = null }, token).ConfigureAwait(false);
            ProvisioningLog.Recovered(_logger, tenantId.Value, projectId);
            return TenantDatabase.From(record);
        }, cancellationToken);

    public Task<TenantRestoreResult> RestoreAsync(TenantId tenantId, TenantRestoreRequest request, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId, request);

        return _kit.RunAsync(tenantId, "restore", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "restore", token).ConfigureAwait(false);
            var preserveUnder = request.PreserveUnderName
                ?? "pre-restore-" + _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

            await _kit.MutateAsync(record.ProjectId!, t => _api.Branches.RestoreProjectBranchAsync(record.ProjectId!, record.BranchId!, new BranchRestoreRequest
            {
                SourceBranchId = record.BranchId!,
                SourceTimestamp = request.Timestamp,
                SourceLsn = string.IsNullOrEmpty(request.Lsn) ? null : request.Lsn,
                PreserveUnderName = preserveUnder,
            }, t), restored => restored.Operations, token).ConfigureAwait(false);

            // The compute restarted onto restored data: re-encrypting the secrets (fresh nonces) changes the record's
            // connection fields, so the change feed says ConnectionChanged and the connection layer drops cached connections.
            record = await _kit.UpdateAsync(tenantId, r => r with
            {
                PooledConnectionSecret = Reprotect(tenantId, ConnectionSecretKind.Pooled, r.PooledConnectionSecret),
                DirectConnectionSecret = Reprotect(tenantId, ConnectionSecretKind.Direct, r.DirectConnectionSecret),
            }, token).ConfigureAwait(false);
            ProvisioningLog.Restored(_logger, tenantId.Value, record.BranchId!, preserveUnder);
            return new TenantRestoreResult(TenantDatabase.From(record), preserveUnder);
        }, cancellationToken);
    }

    public Task<TenantDatabase> RotateCredentialsAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "credential rotation", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "credential rotation", token).ConfigureAwait(false);
            record = await RotateRoleAsync(record, record.RoleName!, ConnectionSecretKind.Pooled, ConnectionSecretKind.Direct, token).ConfigureAwait(false);
            if (record.ApplicationRoleName is { } applicationRole && !record.ApplicationPooledConnectionSecret.IsEmpty)
            {
                // The application role second, the same way (after the owner's operations ended: one project, one mutation at a time).
                record = await RotateRoleAsync(record, applicationRole, ConnectionSecretKind.ApplicationPooled, ConnectionSecretKind.ApplicationDirect, token).ConfigureAwait(false);
            }

            return TenantDatabase.From(record);
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

    public async Task<IReadOnlyList<TenantOrphanProject>> SweepOrphansAsync(bool deleteOrphans = false, CancellationToken cancellationToken = default)
    {
        // Projects first, catalog second: a tenant is reserved (with its project name) before its project is created,
        // so every project listed here belongs to a record the later catalog read sees. The other order would report
        // (and could delete) the project of a tenant that signed up in between.
        var projects = new List<ProjectListItem>();
        await foreach (var project in _api.Projects.ListAllProjectsAsync(search: _prefix.Length == 0 ? null : _prefix, orgId: _apiOptions.CurrentValue.OrgId,
            pageSize: 400, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (project.Name.StartsWith(_prefix, StringComparison.Ordinal))
            {
                projects.Add(project);
            }
        }

        var byProjectId = new Dictionary<string, TenantRecord>(StringComparer.Ordinal);
        var byProjectName = new Dictionary<string, TenantRecord>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await _catalog.ListAsync(new TenantQuery { ContinuationToken = token, PageSize = TenantQuery.MaxPageSize }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items)
            {
                if (record.ProjectId is not null)
                {
                    byProjectId[record.ProjectId] = record;
                }

                if (record.ProjectName is not null)
                {
                    byProjectName[record.ProjectName] = record;
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        var found = new List<TenantOrphanProject>();
        foreach (var project in projects)
        {
            if (byProjectId.TryGetValue(project.Id, out var owner) || byProjectName.TryGetValue(project.Name, out owner))
            {
                // Known to the catalog (a tenant still provisioning is known by its project name), unless the tenant is
                // deleted and this live project is not the one its deletion recorded.
                if (owner.State == TenantState.Deleted && !string.Equals(owner.ProjectId, project.Id, StringComparison.Ordinal))
                {
                    owner = null;
                }
                else if (owner.State == TenantState.Failed)
                {
                    found.Add(new TenantOrphanProject(project.Id, project.Name, project.CreatedAt, TenantOrphanReason.TenantFailed, owner.TenantId, Deleted: false));
                    ProvisioningLog.Orphan(_logger, project.Id, project.Name, TenantOrphanReason.TenantFailed, false);
                }

                if (owner is not null)
                {
                    continue;
                }
            }

            var deleted = false;
            if (deleteOrphans)
            {
                try
                {
                    await _kit.SendAsync(project.Id, t => _api.Projects.DeleteProjectAsync(project.Id, t), cancellationToken).ConfigureAwait(false);
                }
                catch (NeonNotFoundException)
                {
                    // Gone already.
                }

                deleted = true;
            }

            found.Add(new TenantOrphanProject(project.Id, project.Name, project.CreatedAt, TenantOrphanReason.NotInCatalog, null, deleted));
            ProvisioningLog.Orphan(_logger, project.Id, project.Name, TenantOrphanReason.NotInCatalog, deleted);
        }

        return found;
    }

    /// <summary>Whether the tenant needs no provisioning; throws when its state refuses provisioning.</summary>
    private static bool IsProvisioned(TenantRecord record) => record.State switch
    {
        TenantState.Ready or TenantState.Suspended => true,
        TenantState.Deleted when record.ProjectId is null => false, // deleted before it had a project: provisioned afresh
        TenantState.Deleting or TenantState.Deleted => throw new TenantStateException(record.TenantId, record.State, "provisioning", RefusalReason(record)),
        _ => false,
    };

    /// <summary>Why a tenant's state refuses a lifecycle call, and what to call instead (no secret).</summary>
    private static string? RefusalReason(TenantRecord record) => record.State switch
    {
        TenantState.Deleted when record.ProjectId is null =>
            "it was deleted before it had a project, so there is nothing to recover; ProvisionAsync provisions it afresh",
        TenantState.Deleted => $"its project {record.ProjectId} is deleted; RecoverAsync brings it back"
            + (record.RecoverableUntil is { } until ? " until " + until.ToString("O", CultureInfo.InvariantCulture) : string.Empty),
        TenantState.Deleting => "its deletion did not finish" + (record.FailureReason is { } reason ? " (" + reason + ")" : string.Empty)
            + "; DeleteAsync finishes it, then RecoverAsync brings it back",
        TenantState.Provisioning => "it is being provisioned; ProvisionAsync finishes it",
        TenantState.Failed => "its provisioning failed" + (record.FailureReason is { } reason ? " (" + reason + ")" : string.Empty) + "; ProvisionAsync resumes it",
        TenantState.Suspended => "it is suspended, not deleted; IPlanLimits.ResumeAsync resumes it",
        _ => null,
    };

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
        var page = await _api.Operations.ListProjectOperationsAsync(projectId, limit: 50, cancellationToken: cancellationToken).ConfigureAwait(false);
        var running = page.Operations.Where(o => !TenantMutator.HasEnded(o.Status)).ToList();
        if (running.Count > 0)
        {
            await _kit.WaitAsync(running, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ProjectListItem?> FindProjectByNameAsync(TenantId tenantId, string projectName, CancellationToken cancellationToken)
    {
        var matches = new List<ProjectListItem>();
        await foreach (var project in _api.Projects.ListAllProjectsAsync(search: projectName, orgId: _apiOptions.CurrentValue.OrgId,
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(project.Name, projectName, StringComparison.Ordinal))
            {
                matches.Add(project);
            }
        }

        if (matches.Count == 0)
        {
            return null;
        }

        var oldest = matches.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).First();
        if (matches.Count > 1)
        {
            ProvisioningLog.SeveralProjectsNamed(_logger, tenantId.Value, matches.Count, projectName, oldest.Id);
        }

        return oldest;
    }

    /// <summary>Finds the project an earlier attempt created and reads what the catalog needs from it.</summary>
    private async Task<ProjectDetails?> FindProjectAsync(TenantId tenantId, string projectName, TenantProvisionRequest request, CancellationToken cancellationToken)
    {
        var project = await FindProjectByNameAsync(tenantId, projectName, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return null;
        }

        Branch? branch = null;
        await foreach (var candidate in _api.Branches.ListAllProjectBranchesAsync(project.Id, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (candidate.Default)
            {
                branch = candidate;
                break;
            }

            branch ??= candidate;
        }

        if (branch is null)
        {
            throw new InvalidOperationException($"Project '{project.Id}' of tenant '{tenantId}' has no branch to adopt.");
        }

        var endpoints = await _api.Branches.ListProjectBranchEndpointsAsync(project.Id, branch.Id, cancellationToken).ConfigureAwait(false);
        var endpoint = endpoints.Endpoints.FirstOrDefault(e => e.Type == EndpointType.ReadWrite) ?? endpoints.Endpoints.FirstOrDefault();
        var database = request.DatabaseName ?? _options.DefaultDatabaseName;
        var role = request.RoleName ?? _options.DefaultRoleName;
        var pooled = await _api.Projects.GetConnectionURIAsync(project.Id, database, role, branch.Id, endpoint?.Id, pooled: true, cancellationToken).ConfigureAwait(false);
        var direct = await _api.Projects.GetConnectionURIAsync(project.Id, database, role, branch.Id, endpoint?.Id, pooled: false, cancellationToken).ConfigureAwait(false);
        var page = await _api.Operations.ListProjectOperationsAsync(project.Id, limit: 50, cancellationToken: cancellationToken).ConfigureAwait(false);

        return new ProjectDetails(
            project.Id,
            project.RegionId,
            branch.Id,
            endpoint?.Id,
            database,
            role,
            _protector.Protect(tenantId, ConnectionSecretKind.Pooled, TenantConnectionStrings.FromUri(pooled.Uri, _options.SslMode)),
            _protector.Protect(tenantId, ConnectionSecretKind.Direct, TenantConnectionStrings.FromUri(direct.Uri, _options.SslMode)),
            page.Operations.Where(o => !TenantMutator.HasEnded(o.Status)).ToList());
    }

    private ProjectDetails FromCreateResponse(TenantId tenantId, CreateProjectResponse created, TenantProvisionRequest request)
    {
        var role = request.RoleName ?? _options.DefaultRoleName;
        var endpoint = created.Endpoints.FirstOrDefault(e => e.Type == EndpointType.ReadWrite) ?? created.Endpoints.FirstOrDefault();
        var uri = created.ConnectionUris.FirstOrDefault()
            ?? throw new InvalidOperationException($"Neon returned no connection details for tenant '{tenantId}'s project '{created.Project.Id}'.");
        var p = uri.ConnectionParameters;
        var pooledHost = string.IsNullOrEmpty(p.PoolerHost) ? p.Host : p.PoolerHost;
        return new ProjectDetails(
            created.Project.Id,
            created.Project.RegionId,
            created.Branch.Id,
            endpoint?.Id,
            created.Databases.FirstOrDefault()?.Name ?? request.DatabaseName ?? _options.DefaultDatabaseName,
            created.Roles.FirstOrDefault(r => string.Equals(r.Name, role, StringComparison.Ordinal))?.Name ?? created.Roles.FirstOrDefault()?.Name ?? role,
            _protector.Protect(tenantId, ConnectionSecretKind.Pooled, TenantConnectionStrings.Build(pooledHost, p.Database, p.Role, p.Password, _options.SslMode)),
            _protector.Protect(tenantId, ConnectionSecretKind.Direct, TenantConnectionStrings.Build(p.Host, p.Database, p.Role, p.Password, _options.SslMode)),
            created.Operations.ToList());
    }

    private ProjectCreateRequest BuildCreateRequest(string projectName, TenantProvisionRequest request)
    {
        var settings = request.Settings;
        var project = new ProjectCreateRequestProject
        {
            Name = projectName,
            RegionId = request.Region,
            PgVersion = request.PostgresVersion,
            OrgId = _apiOptions.CurrentValue.OrgId,
            Branch = new ProjectCreateRequestProjectBranch
            {
                DatabaseName = request.DatabaseName ?? _options.DefaultDatabaseName,
                RoleName = request.RoleName ?? _options.DefaultRoleName,
            },
        };
        if (settings is not null)
        {
            if (settings.ActiveTimeSecondsQuota is not null || settings.ComputeTimeSecondsQuota is not null || settings.WrittenDataBytesQuota is not null
                || settings.DataTransferBytesQuota is not null || settings.LogicalSizeBytesQuota is not null)
            {
                project.Settings = new ProjectSettingsData
                {
                    Quota = new ProjectQuota
                    {
                        ActiveTimeSeconds = settings.ActiveTimeSecondsQuota,
                        ComputeTimeSeconds = settings.ComputeTimeSecondsQuota,
                        WrittenDataBytes = settings.WrittenDataBytesQuota,
                        DataTransferBytes = settings.DataTransferBytesQuota,
                        LogicalSizeBytes = settings.LogicalSizeBytesQuota,
                    },
                };
            }

            if (settings.AutoscalingMinCu is not null || settings.AutoscalingMaxCu is not null || settings.SuspendTimeout is not null)
            {
                project.DefaultEndpointSettings = new DefaultEndpointSettings
                {
                    AutoscalingLimitMinCu = settings.AutoscalingMinCu,
                    AutoscalingLimitMaxCu = settings.AutoscalingMaxCu,
                    SuspendTimeoutSeconds = settings.SuspendTimeout is { } suspend
                        ? suspend == Timeout.InfiniteTimeSpan ? -1 : (long)suspend.TotalSeconds
                        : null,
                };
            }

            if (settings.HistoryRetention is { } retention)
            {
                project.HistoryRetentionSeconds = checked((int)retention.TotalSeconds);
            }
        }

        return new ProjectCreateRequest { Project = project };
    }

    /// <summary>
    /// Creates the tenant's application role through the API (or, when an earlier attempt created it, resets its
    /// password: the old one is not known), waits for Neon's operations, applies its grants on the owner's direct
    /// connection, and returns its encrypted connection strings. Every part is idempotent, so a retry redoes it all.
    /// </summary>
    private async Task<(byte[] Pooled, byte[] Direct)> ProvisionApplicationRoleAsync(
        TenantId tenantId, TenantRecord record, string applicationRole, Action<TenantProvisioningStep> enter, CancellationToken cancellationToken)
    {
        var projectId = record.ProjectId!;
        var branchId = record.BranchId!;
        var exists = false;
        try
        {
            await _api.Branches.GetProjectBranchRoleAsync(projectId, branchId, applicationRole, cancellationToken).ConfigureAwait(false);
            exists = true;
        }
        catch (NeonNotFoundException)
        {
            // Not created yet.
        }

        var answer = await _kit.SendAsync(projectId, t => exists
            ? _api.Branches.ResetProjectBranchRolePasswordAsync(projectId, branchId, applicationRole, t)
            : _api.Branches.CreateProjectBranchRoleAsync(projectId, branchId, new RoleCreateRequest { Role = new RoleCreateRequestRole { Name = applicationRole } }, t),
            cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            ProvisioningLog.ApplicationRolePasswordReset(_logger, tenantId.Value, applicationRole);
        }
        else
        {
            ProvisioningLog.ApplicationRoleCreated(_logger, tenantId.Value, applicationRole);
        }

        enter(TenantProvisioningStep.WaitForOperations);
        await _kit.WaitAsync(answer.Operations, cancellationToken).ConfigureAwait(false);

        // Neon's connection details for the role (host names, and the role and database names as the server knows them).
        enter(TenantProvisioningStep.CreateApplicationRole);
        var database = record.DatabaseName ?? _options.DefaultDatabaseName;
        var pooledUri = await _api.Projects.GetConnectionURIAsync(projectId, database, applicationRole, branchId, record.EndpointId, pooled: true, cancellationToken).ConfigureAwait(false);
        var directUri = await _api.Projects.GetConnectionURIAsync(projectId, database, applicationRole, branchId, record.EndpointId, pooled: false, cancellationToken).ConfigureAwait(false);
        var pooled = TenantConnectionStrings.FromUri(pooledUri.Uri, _options.SslMode);
        var direct = TenantConnectionStrings.FromUri(directUri.Uri, _options.SslMode);
        if (answer.Role.Password is { Length: > 0 } password)
        {
            // The create/reset answer carries the password; prefer it over what connection_uri revealed.
            pooled = TenantConnectionStrings.WithPassword(pooled, password);
            direct = TenantConnectionStrings.WithPassword(direct, password);
        }

        enter(TenantProvisioningStep.GrantApplicationRole);
        var ownerDirect = _protector.Unprotect(tenantId, ConnectionSecretKind.Direct, record.DirectConnectionSecret.Span);
        await TenantApplicationRoleGrants.ApplyAsync(ownerDirect, TenantConnectionStrings.UsernameOf(direct), cancellationToken).ConfigureAwait(false);
        ProvisioningLog.ApplicationRoleGranted(_logger, tenantId.Value, applicationRole);
        await CheckpointAsync(ProvisioningCheckpoint.AfterApplicationRoleGrants, cancellationToken).ConfigureAwait(false);

        return (_protector.Protect(tenantId, ConnectionSecretKind.ApplicationPooled, pooled),
            _protector.Protect(tenantId, ConnectionSecretKind.ApplicationDirect, direct));
    }

    private byte[] Reprotect(TenantId tenantId, ConnectionSecretKind kind, ReadOnlyMemory<byte> secret) =>
        _protector.Protect(tenantId, kind, _protector.Unprotect(tenantId, kind, secret.Span));

    private byte[] WithPassword(TenantId tenantId, ConnectionSecretKind kind, ReadOnlyMemory<byte> secret, string password) =>
        _protector.Protect(tenantId, kind, TenantConnectionStrings.WithPassword(_protector.Unprotect(tenantId, kind, secret.Span), password));

    [DebuggerDisplay("{ProjectId}")]
    private sealed record ProjectDetails(
        string ProjectId,
        string? Region,
        string BranchId,
        string? EndpointId,
        string DatabaseName,
        string RoleName,
        byte[] PooledSecret,
        byte[] DirectSecret,
        IReadOnlyList<Operation> Operations);
}
