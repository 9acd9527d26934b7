using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="ITenantDatabaseProvider"/>, one file per part: this one (reads, delete, recover),
/// <c>.Provision</c>, <c>.Projects</c> (find, adopt), <c>.Credentials</c> (restore, rotation) and
/// <c>.Orphans</c>; the steps shared with the warm pool (create call, application role, rotation) are
/// <see cref="TenantProjectSetup"/>'s. Every change runs through the tenant-change kit (<see cref="TenantMutator"/>).
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
internal sealed partial class TenantDatabaseProvider : ITenantDatabaseProvider
{
    private readonly TenantMutator _kit;
    private readonly TenantProjectSetup _setup;
    private readonly TenantRestorer _restorer;
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
    private readonly ITenantProjectPool? _pool;

    public TenantDatabaseProvider(
        TenantMutator kit,
        TenantProjectSetup setup,
        TenantRestorer restorer,
        IConnectionSecretProtector protector,
        IOptions<NeonTenancyOptions> tenancyOptions,
        IOptions<TenantProvisioningOptions> options,
        IOptionsMonitor<NeonApiOptions> apiOptions,
        TimeProvider timeProvider,
        ILogger<TenantDatabaseProvider>? logger = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null,
        ITenantDatabaseInitializer? initializer = null,
        PlanBook? plans = null,
        ITenantProjectPool? pool = null)
    {
        _kit = kit;
        _setup = setup;
        _restorer = restorer;
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
        _pool = pool;
    }

    public async Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await _catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return record is null ? null : record;
    }

    public IAsyncEnumerable<TenantRecord> ListAllAsync(TenantState? state = null, CancellationToken cancellationToken = default) =>
        _catalog.ListAllAsync(new TenantQuery { State = state }, cancellationToken);

    public Task<TenantDeletion> DeleteAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "delete", async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            if (record.State == TenantState.Deleted)
            {
                return new TenantDeletion(record, record.RecoverableUntil);
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

            return new TenantDeletion(record, record.RecoverableUntil); // as stored (the catalog may round it)
        }, cancellationToken);

    public Task<TenantRecord> RecoverAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "recover", async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            if (record.State == TenantState.Ready)
            {
                return record;
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
            return record;
        }, cancellationToken);

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
}
