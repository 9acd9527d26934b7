using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The claim: a sign-up takes a ready pool project instead of creating one. One catalog transaction makes the project
/// the tenant's (<see cref="IWarmPoolStore.ClaimAsync"/>: the tenant's record gets the project, its secrets encrypted
/// again for the tenant, and the entry is marked claimed by it), then, under the tenant's lock, its credentials are
/// rotated, the project gets the tenant's plan and name, the tenant is ready and the entry is removed.
/// </summary>
/// <remarks>
/// Every step after the transaction is idempotent and the entry stays <see cref="WarmPoolEntryState.Claimed"/> until the
/// last one: a crash anywhere leaves the project the tenant's (never back in the pool, never another tenant's), and the
/// tenant's next <see cref="ITenantDatabaseProvider.ProvisionAsync"/> finishes the claim (<see cref="ResumeAsync"/>).
/// Before the transaction commits the project is the pool's, untouched.
/// </remarks>
internal sealed class WarmPoolClaims : ITenantProjectPool
{
    /// <summary>The first poll of a claim's operations (then doubling up to the configured interval): a sign-up is waiting.</summary>
    internal static readonly TimeSpan EagerFirstPoll = TimeSpan.FromMilliseconds(20);

    private readonly Lazy<IWarmPoolStore?> _store;
    private readonly WarmPoolLayout _layout;
    private readonly TenantMutator _kit;
    private readonly TenantProjectSetup _setup;
    private readonly ITenantMigrator? _migrator;
    private readonly PlanBook? _plans;
    private readonly WarmPoolMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public WarmPoolClaims(
        Lazy<IWarmPoolStore?> store,
        WarmPoolLayout layout,
        TenantMutator kit,
        TenantProjectSetup setup,
        WarmPoolMetrics metrics,
        TimeProvider timeProvider,
        ILogger<WarmPoolClaims>? logger = null,
        ITenantMigrator? migrator = null,
        PlanBook? plans = null)
    {
        _store = store;
        _layout = layout;
        _kit = kit;
        _setup = setup;
        _metrics = metrics;
        _time = timeProvider;
        _logger = logger ?? NullLogger<WarmPoolClaims>.Instance;
        _migrator = migrator;
        _plans = plans;
    }

    public async Task<TenantRecord?> TryClaimAsync(TenantRecord record, TenantProvisionRequest request, TenantPlanSettings? settings, ProvisioningSteps steps,
        CancellationToken cancellationToken)
    {
        if (!_layout.Enabled || _store.Value is not { } store)
        {
            return null; // the pool is off (a size with a catalog that cannot host it is refused at start)
        }

        var (pool, miss) = _layout.Fit(request, _setup.Options);
        if (miss is not null)
        {
            _metrics.Missed(request.Region ?? string.Empty, miss);
            WarmPoolLog.NotPooled(_logger, record.TenantId.Value, miss);
            return null;
        }

        var started = _time.GetTimestamp();
        steps.Enter(TenantProvisioningStep.ClaimPoolProject);
        var options = _setup.Options;
        var target = _migrator?.TargetVersion ?? 0;
        var tenantId = record.TenantId;
        var claim = await store.ClaimAsync(new WarmPoolClaimRequest(
            tenantId, pool.Region, pool.PlanClass, target, options.DefaultDatabaseName, options.DefaultRoleName, options.ApplicationRoleName,
            entry => record with
            {
                State = TenantState.Provisioning,
                Plan = request.Plan,
                Region = entry.NeonRegion ?? record.Region,
                ProjectId = entry.ProjectId,
                BranchId = entry.BranchId,
                EndpointId = entry.EndpointId,
                DatabaseName = entry.DatabaseName,
                RoleName = entry.RoleName,
                SchemaVersion = entry.SchemaVersion,
                PooledConnectionSecret = _setup.Reencrypt(entry.Identity, tenantId, ConnectionSecretKind.Pooled, entry.PooledConnectionSecret),
                DirectConnectionSecret = _setup.Reencrypt(entry.Identity, tenantId, ConnectionSecretKind.Direct, entry.DirectConnectionSecret),
                ApplicationRoleName = entry.ApplicationRoleName,
                ApplicationPooledConnectionSecret = _setup.Reencrypt(entry.Identity, tenantId, ConnectionSecretKind.ApplicationPooled, entry.ApplicationPooledConnectionSecret),
                ApplicationDirectConnectionSecret = _setup.Reencrypt(entry.Identity, tenantId, ConnectionSecretKind.ApplicationDirect, entry.ApplicationDirectConnectionSecret),
                FailureReason = null,
                RecoverableUntil = null,
            }), cancellationToken).ConfigureAwait(false);
        if (claim is null)
        {
            _metrics.Missed(pool.Region, "empty");
            WarmPoolLog.PoolEmpty(_logger, record.TenantId.Value, Describe(pool.Region), Describe(pool.PlanClass), target);
            return null;
        }

        WarmPoolLog.Claimed(_logger, tenantId.Value, claim.Entry.ProjectId!, Describe(pool.Region), Describe(pool.PlanClass));
        await steps.Checkpoint(ProvisioningCheckpoint.AfterClaim, cancellationToken).ConfigureAwait(false);
        var ready = await FinishAsync(store, claim.Record, claim.Entry, settings, steps, cancellationToken).ConfigureAwait(false);
        _metrics.Claimed(pool, _time.GetElapsedTime(started).TotalSeconds);
        return ready;
    }

    public async Task<TenantRecord?> ResumeAsync(TenantRecord record, ProvisioningSteps steps, CancellationToken cancellationToken)
    {
        if (_store.Value is not { } store)
        {
            return null;
        }

        var entry = await store.GetClaimAsync(record.TenantId, cancellationToken).ConfigureAwait(false);
        if (entry is null || !string.Equals(entry.ProjectId, record.ProjectId, StringComparison.Ordinal))
        {
            return null;
        }

        WarmPoolLog.ResumingClaim(_logger, record.TenantId.Value, entry.ProjectId!);
        var settings = _plans?.HasPlans == true ? _plans.GetRecordedSettings(record) : record.Settings;
        return await FinishAsync(store, record, entry, settings, steps, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlySet<string>> ProjectNamesAsync(CancellationToken cancellationToken)
    {
        if (_store.Value is not { } store)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var entries = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        return entries.Select(e => e.ProjectName).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The claim's steps after its transaction, each idempotent (a resumed claim redoes them all): new credentials, the
    /// tenant's plan and name, ready, entry removed.
    /// </summary>
    /// <remarks>
    /// A sign-up waits on this, so Neon's operations are polled early (<see cref="EagerFirstPoll"/>, doubling). The
    /// rotations are waited for (the old password works until its operation ends); the PATCH's configuration
    /// operation is not: quotas and name are the control plane's at once, and any later change to the project waits for
    /// it first (<see cref="TenantMutator"/>).
    /// </remarks>
    private async Task<TenantRecord> FinishAsync(IWarmPoolStore store, TenantRecord record, WarmPoolEntry entry, TenantPlanSettings? settings, ProvisioningSteps steps,
        CancellationToken cancellationToken)
    {
        var tenantId = record.TenantId;
        var projectId = record.ProjectId!;

        // New passwords for the owner and the application role: whatever the replenisher (or anyone who read the pool's
        // secrets) held before the claim stops working.
        steps.Enter(TenantProvisioningStep.RotateCredentials);
        record = await _setup.RotateAllAsync(record, cancellationToken, EagerFirstPoll).ConfigureAwait(false);
        await steps.Checkpoint(ProvisioningCheckpoint.AfterClaimRotation, cancellationToken).ConfigureAwait(false);

        // One PATCH: the tenant's name (the orphan sweep and people in the console know it by it) and its plan's quotas,
        // default compute settings and history retention. The compute itself already has the class's settings.
        steps.Enter(TenantProvisioningStep.ApplyPlan);
        var patch = settings is null ? new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject() } : NeonPlanSettings.ProjectPatch(settings, suspended: false);
        patch.Project.Name = record.ProjectName;
        await _kit.SendAsync(projectId, t => _kit.Api.Projects.UpdateProjectAsync(projectId, patch, t), cancellationToken).ConfigureAwait(false);
        await steps.Checkpoint(ProvisioningCheckpoint.AfterClaimPlan, cancellationToken).ConfigureAwait(false);

        steps.Enter(TenantProvisioningStep.Catalog);
        record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Ready, FailureReason = null }, cancellationToken).ConfigureAwait(false);
        await steps.Checkpoint(ProvisioningCheckpoint.AfterClaimReady, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.RemoveAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The tenant is ready; the replenisher removes a claimed entry whose tenant holds its project.
            WarmPoolLog.ClaimedEntryNotRemoved(_logger, error, tenantId.Value, entry.Id);
        }

        return record;
    }

    /// <summary>A pool's region or plan class as the logs and the metrics name it: <c>default</c> for the empty one.</summary>
    private static string Describe(string value) => value.Length == 0 ? "default" : value;
}
