using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="IPlanLimits"/>: plans from <see cref="PlanBook"/>, applied through the tenant-change kit
/// (<see cref="TenantMutator"/>: the tenant's lock, a wait for the project's operations before each PATCH and for the
/// ones it started after) with two PATCH calls (project: quota, default endpoint settings, history retention;
/// read-write endpoint: autoscaling, suspend timeout). Drift is <see cref="PlanDrift"/>'s.
/// </summary>
/// <remarks>
/// A tenant's settings are its own override (<see cref="TenantRecord.Settings"/>, given at provisioning) or else its
/// plan's. A plan change moves the tenant to the new plan's settings and drops its override. A suspended tenant
/// carries the suspension quotas (1 for each period quota: active time, compute time, bytes written, bytes
/// transferred) and otherwise its settings.
/// </remarks>
internal sealed class PlanLimits : IPlanLimits
{
    private readonly PlanBook _book;
    private readonly TenantMutator _kit;
    private readonly PlanApplier _applier;
    private readonly PlanDrift _drift;
    private readonly ILogger _logger;

    public PlanLimits(PlanBook book, TenantMutator kit, ILogger<PlanLimits>? logger = null)
    {
        _book = book;
        _kit = kit;
        _logger = logger ?? NullLogger<PlanLimits>.Instance;
        _applier = new PlanApplier(kit);
        _drift = new PlanDrift(book, kit, _applier, _logger);
    }

    public string DefaultPlan => _book.DefaultPlan;

    public IReadOnlyCollection<string> PlanNames => _book.PlanNames;

    public TenantPlanSettings GetSettings(string plan) => _book.GetSettings(plan);

    public Task<TenantRecord> ChangePlanAsync(TenantId tenantId, string plan, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.ValidatePlanChange(tenantId, plan);
        var settings = _book.GetSettings(plan);
        var name = _book.PlanNames.FirstOrDefault(p => string.Equals(p, plan, StringComparison.OrdinalIgnoreCase)) ?? plan;
        return _kit.RunAsync(tenantId, "plan change", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "plan change", token).ConfigureAwait(false);

            // A suspended tenant keeps its suspension quotas: the new plan is recorded now and applied on resume.
            var apply = record.State == TenantState.Ready;
            if (apply)
            {
                await _applier.ApplyAsync(record, settings, token).ConfigureAwait(false);
            }

            var old = record.Plan;
            record = await _kit.UpdateAsync(tenantId, r => r with { Plan = name, Settings = null }, token).ConfigureAwait(false);
            PlansLog.PlanChanged(_logger, tenantId.Value, old, name, apply);
            return record;
        }, cancellationToken);
    }

    public Task<TenantPlanDrift> CheckDriftAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _drift.CheckAsync(tenantId, cancellationToken);

    public Task<PlanReconcileReport> ReconcileAsync(PlanReconcileOptions? options = null, CancellationToken cancellationToken = default) =>
        _drift.ReconcileAsync(options, cancellationToken);

    public Task<TenantRecord> SuspendAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "suspension", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "suspension", token).ConfigureAwait(false);

            // The catalog first: the connection layer stops serving the tenant at once, and an interruption leaves a tenant
            // recorded as suspended whose quotas the next call or ReconcileAsync sets. Quotas are (re)applied even when
            // already suspended, so a retry finishes an interrupted suspension.
            if (record.State != TenantState.Suspended)
            {
                record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Suspended }, token).ConfigureAwait(false);
            }

            var patch = NeonPlanSettings.QuotaPatch(_book.GetRecordedSettings(record), suspended: true);
            await _kit.MutateAsync(record.ProjectId!, t => _kit.Api.Projects.UpdateProjectAsync(record.ProjectId!, patch, t), updated => updated.Operations, token)
                .ConfigureAwait(false);

            // Neon applies an exhausted quota on its own schedule; suspending the compute now makes it take effect at once.
            if (record.EndpointId is { } endpointId)
            {
                try
                {
                    await _kit.MutateAsync(record.ProjectId!, t => _kit.Api.Endpoints.SuspendProjectEndpointAsync(record.ProjectId!, endpointId, t),
                        suspended => suspended.Operations, token).ConfigureAwait(false);
                }
                catch (Api.NeonApiException exception) when (!exception.IsTransient
                    && exception.StatusCode is not (System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden))
                {
                    // Already suspended, or not suspendable right now: the quota keeps it from running either way.
                    PlansLog.EndpointNotSuspended(_logger, tenantId.Value, endpointId, (int?)exception.StatusCode);
                }
            }

            PlansLog.Suspended(_logger, tenantId.Value, record.ProjectId!);
            return record;
        }, cancellationToken);

    public Task<TenantRecord> ResumeAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "resumption", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "resumption", token).ConfigureAwait(false);
            if (record.State == TenantState.Ready)
            {
                return record;
            }

            // Neon first, the catalog second: an interruption leaves the tenant recorded as suspended (the safe side).
            await _applier.ApplyAsync(record, _book.GetRecordedSettings(record), token).ConfigureAwait(false);
            record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Ready }, token).ConfigureAwait(false);
            PlansLog.Resumed(_logger, tenantId.Value, record.Plan);
            return record;
        }, cancellationToken);
}
