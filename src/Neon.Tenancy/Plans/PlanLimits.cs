using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="IPlanLimits"/>: plans from <see cref="PlanBook"/>, applied with two PATCH calls (project:
/// quota, default endpoint settings, history retention; read-write endpoint: autoscaling, suspend timeout), each
/// waited for, under the provider's per-tenant lock.
/// </summary>
/// <remarks>
/// <para>What a plan manages: all five quotas (an unset quota is sent and expected as 0, Neon's "unlimited"), and the
/// compute and retention settings the plan sets (unset ones are left as they are and not compared).</para>
/// <para>A suspended tenant carries the suspension quotas (1 for each period quota: active time, compute time, bytes
/// written, bytes transferred) and otherwise its plan's settings.</para>
/// </remarks>
internal sealed class PlanLimits : IPlanLimits
{
    internal const long SuspensionQuota = 1;

    private readonly PlanBook _book;
    private readonly TenantMutator _kit;
    private readonly ITenantCatalog _catalog;
    private readonly NeonApiClient _api;
    private readonly ILogger _logger;

    public PlanLimits(PlanBook book, TenantMutator kit, ILogger<PlanLimits>? logger = null)
    {
        _book = book;
        _kit = kit;
        _catalog = kit.Catalog;
        _api = kit.Api;
        _logger = logger ?? NullLogger<PlanLimits>.Instance;
    }

    public string DefaultPlan => _book.DefaultPlan;

    public IReadOnlyCollection<string> PlanNames => _book.PlanNames;

    public TenantPlanSettings GetSettings(string plan) => _book.GetSettings(plan);

    public Task<TenantDatabase> ChangePlanAsync(TenantId tenantId, string plan, CancellationToken cancellationToken = default)
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
                await ApplyProjectAsync(record.ProjectId!, settings, suspended: false, token).ConfigureAwait(false);
                await ApplyEndpointAsync(record, settings, token).ConfigureAwait(false);
            }

            var old = record.Plan;
            record = await _kit.UpdateAsync(tenantId, r => r with { Plan = name }, token).ConfigureAwait(false);
            PlansLog.PlanChanged(_logger, tenantId.Value, old, name, apply);
            return TenantDatabase.From(record);
        }, cancellationToken);
    }

    public async Task<TenantPlanDrift> CheckDriftAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await _catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false) ?? throw new TenantNotFoundException(tenantId);
        if (record.ProjectId is null)
        {
            throw new TenantStateException(tenantId, record.State, "drift check");
        }

        return (await CheckAsync(record, cancellationToken).ConfigureAwait(false)).Drift;
    }

    public async Task<PlanReconcileReport> ReconcileAsync(PlanReconcileOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PlanReconcileOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        var tenants = new List<TenantRecord>();
        foreach (var state in (TenantState[])[TenantState.Ready, TenantState.Suspended])
        {
            string? token = null;
            do
            {
                var page = await _catalog.ListAsync(new TenantQuery { State = state, PageSize = TenantQuery.MaxPageSize, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
                tenants.AddRange(page.Items.Where(r => r.ProjectId is not null));
                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        var drifted = new ConcurrentBag<TenantPlanDrift>();
        var fixedTenants = new ConcurrentBag<TenantId>();
        var failed = new ConcurrentDictionary<TenantId, string>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(tenants, parallel, async (record, token) =>
        {
            try
            {
                var check = await CheckAsync(record, token).ConfigureAwait(false);
                if (!check.Drift.HasDrift)
                {
                    return;
                }

                drifted.Add(check.Drift);
                if (!options.DryRun && await FixAsync(record, check, token).ConfigureAwait(false))
                {
                    fixedTenants.Add(record.TenantId);
                }
            }
            catch (Exception exception) when (!token.IsCancellationRequested && exception is not OutOfMemoryException)
            {
                // One tenant's failure is reported, not thrown: the others are still reconciled. Messages carry no secret.
                failed[record.TenantId] = exception.Message;
                PlansLog.ReconcileFailed(_logger, exception, record.TenantId.Value);
            }
        }).ConfigureAwait(false);

        var report = new PlanReconcileReport(
            tenants.Count,
            [.. drifted.OrderBy(d => d.TenantId.Value, StringComparer.Ordinal)],
            [.. fixedTenants.OrderBy(t => t.Value, StringComparer.Ordinal)],
            failed.ToDictionary());
        PlansLog.Reconciled(_logger, report.Checked, report.Drifted.Count, report.Fixed.Count, report.Failed.Count, options.DryRun);
        return report;
    }

    public Task<TenantDatabase> SuspendAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
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

            var settings = _book.GetRecordedSettings(record.Plan);
            var patch = new ProjectUpdateRequest { Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = Quota(settings, suspended: true) } } };
            await _kit.MutateAsync(record.ProjectId!, t => _api.Projects.UpdateProjectAsync(record.ProjectId!, patch, t), updated => updated.Operations, token)
                .ConfigureAwait(false);

            // Neon applies an exhausted quota on its own schedule; suspending the compute now makes it take effect at once.
            if (record.EndpointId is { } endpointId)
            {
                try
                {
                    await _kit.MutateAsync(record.ProjectId!, t => _api.Endpoints.SuspendProjectEndpointAsync(record.ProjectId!, endpointId, t),
                        suspended => suspended.Operations, token).ConfigureAwait(false);
                }
                catch (NeonApiException exception) when (!exception.IsTransient && exception.StatusCode is not (System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden))
                {
                    // Already suspended, or not suspendable right now: the quota keeps it from running either way.
                    PlansLog.EndpointNotSuspended(_logger, tenantId.Value, endpointId, (int?)exception.StatusCode);
                }
            }

            PlansLog.Suspended(_logger, tenantId.Value, record.ProjectId!);
            return TenantDatabase.From(record);
        }, cancellationToken);

    public Task<TenantDatabase> ResumeAsync(TenantId tenantId, CancellationToken cancellationToken = default) =>
        _kit.RunAsync(tenantId, "resumption", async token =>
        {
            var record = await _kit.RequireServingAsync(tenantId, "resumption", token).ConfigureAwait(false);
            if (record.State == TenantState.Ready)
            {
                return TenantDatabase.From(record);
            }

            // Neon first, the catalog second: an interruption leaves the tenant recorded as suspended (the safe side).
            var settings = _book.GetRecordedSettings(record.Plan);
            await ApplyProjectAsync(record.ProjectId!, settings, suspended: false, token).ConfigureAwait(false);
            await ApplyEndpointAsync(record, settings, token).ConfigureAwait(false);
            record = await _kit.UpdateAsync(tenantId, r => r with { State = TenantState.Ready }, token).ConfigureAwait(false);
            PlansLog.Resumed(_logger, tenantId.Value, record.Plan);
            return TenantDatabase.From(record);
        }, cancellationToken);

    private Task ApplyProjectAsync(string projectId, TenantPlanSettings settings, bool suspended, CancellationToken cancellationToken) =>
        _kit.MutateAsync(projectId, t => _api.Projects.UpdateProjectAsync(projectId, ProjectPatch(settings, suspended), t), updated => updated.Operations, cancellationToken);

    /// <summary>Updates the existing read-write endpoint: default endpoint settings only reach computes created later.</summary>
    private async Task ApplyEndpointAsync(TenantRecord record, TenantPlanSettings settings, CancellationToken cancellationToken)
    {
        if (record.EndpointId is null || EndpointPatch(settings) is not { } patch)
        {
            return;
        }

        await _kit.MutateAsync(record.ProjectId!, t => _api.Endpoints.UpdateProjectEndpointAsync(record.ProjectId!, record.EndpointId, patch, t),
            updated => updated.Operations, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool> FixAsync(TenantRecord checkedRecord, DriftCheck check, CancellationToken cancellationToken)
    {
        var tenantId = checkedRecord.TenantId;
        return _kit.RunAsync(tenantId, "drift fix", async token =>
        {
            var record = await _kit.GetAsync(tenantId, token).ConfigureAwait(false);
            if (record.Version != checkedRecord.Version && (record.State != checkedRecord.State || !string.Equals(record.Plan, checkedRecord.Plan, StringComparison.Ordinal)))
            {
                // A plan change, suspension or resumption ran in between and applied its own settings.
                PlansLog.ChangedDuringReconcile(_logger, tenantId.Value);
                return false;
            }

            var project = check.Drift.Differences.Any(d => !d.Setting.StartsWith(EndpointPrefix, StringComparison.Ordinal));
            var endpoint = check.Drift.Differences.Any(d => d.Setting.StartsWith(EndpointPrefix, StringComparison.Ordinal));
            if (project)
            {
                await ApplyProjectAsync(record.ProjectId!, check.Settings, check.Suspended, token).ConfigureAwait(false);
            }

            if (endpoint)
            {
                await ApplyEndpointAsync(record, check.Settings, token).ConfigureAwait(false);
            }

            PlansLog.DriftFixed(_logger, tenantId.Value, project, endpoint);
            return true;
        }, cancellationToken);
    }

    // ---- comparing ------------------------------------------------------------------------------------------------

    private const string EndpointPrefix = "endpoint.";

    private async Task<DriftCheck> CheckAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var settings = _book.GetRecordedSettings(record.Plan);
        var suspended = record.State == TenantState.Suspended;
        var project = (await _api.Projects.GetProjectAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false)).Project;
        Endpoint? endpoint = null;
        if (record.EndpointId is not null && EndpointPatch(settings) is not null)
        {
            endpoint = (await _api.Endpoints.GetProjectEndpointAsync(record.ProjectId!, record.EndpointId, cancellationToken).ConfigureAwait(false)).Endpoint;
        }

        var differences = Compare(settings, suspended, project, endpoint);
        if (differences.Count > 0)
        {
            PlansLog.DriftFound(_logger, record.TenantId.Value, record.ProjectId!, differences.Count, record.Plan);
            foreach (var difference in differences)
            {
                PlansLog.DriftSetting(_logger, record.TenantId.Value, difference.Setting, difference.Actual, record.Plan, difference.Expected);
            }
        }

        return new DriftCheck(new TenantPlanDrift(record.TenantId, record.Plan, differences), settings, suspended);
    }

    internal static List<PlanSettingDifference> Compare(TenantPlanSettings settings, bool suspended, Project project, Endpoint? endpoint)
    {
        var differences = new List<PlanSettingDifference>();
        var expected = Quota(settings, suspended);
        var actual = project.Settings?.Quota;
        QuotaDiff(differences, "settings.quota.active_time_seconds", expected.ActiveTimeSeconds, actual?.ActiveTimeSeconds);
        QuotaDiff(differences, "settings.quota.compute_time_seconds", expected.ComputeTimeSeconds, actual?.ComputeTimeSeconds);
        QuotaDiff(differences, "settings.quota.written_data_bytes", expected.WrittenDataBytes, actual?.WrittenDataBytes);
        QuotaDiff(differences, "settings.quota.data_transfer_bytes", expected.DataTransferBytes, actual?.DataTransferBytes);
        QuotaDiff(differences, "settings.quota.logical_size_bytes", expected.LogicalSizeBytes, actual?.LogicalSizeBytes);

        var defaults = project.DefaultEndpointSettings;
        ValueDiff(differences, "default_endpoint_settings.autoscaling_limit_min_cu", settings.AutoscalingMinCu, defaults?.AutoscalingLimitMinCu);
        ValueDiff(differences, "default_endpoint_settings.autoscaling_limit_max_cu", settings.AutoscalingMaxCu, defaults?.AutoscalingLimitMaxCu);
        ValueDiff(differences, "default_endpoint_settings.suspend_timeout_seconds", SuspendSeconds(settings), defaults?.SuspendTimeoutSeconds);
        ValueDiff(differences, "history_retention_seconds", RetentionSeconds(settings), project.HistoryRetentionSeconds);
        if (endpoint is not null)
        {
            ValueDiff(differences, EndpointPrefix + "autoscaling_limit_min_cu", settings.AutoscalingMinCu, endpoint.AutoscalingLimitMinCu);
            ValueDiff(differences, EndpointPrefix + "autoscaling_limit_max_cu", settings.AutoscalingMaxCu, endpoint.AutoscalingLimitMaxCu);
            ValueDiff(differences, EndpointPrefix + "suspend_timeout_seconds", SuspendSeconds(settings), endpoint.SuspendTimeoutSeconds);
        }

        return differences;
    }

    private static void QuotaDiff(List<PlanSettingDifference> differences, string setting, long? expected, long? actual)
    {
        // Unset and 0 both mean unlimited.
        if ((expected ?? 0) != (actual ?? 0))
        {
            differences.Add(new PlanSettingDifference(setting, Format(expected ?? 0), actual is { } a ? Format(a) : null));
        }
    }

    private static void ValueDiff<T>(List<PlanSettingDifference> differences, string setting, T? expected, T? actual)
        where T : struct, IEquatable<T>, IFormattable
    {
        // A setting the plan does not set is not managed: whatever Neon has is fine.
        if (expected is { } e && !(actual is { } a && a.Equals(e)))
        {
            differences.Add(new PlanSettingDifference(setting, Format(e), actual is { } value ? Format(value) : null));
        }
    }

    private static string Format<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    // ---- requests -------------------------------------------------------------------------------------------------

    /// <summary>The quotas a tenant carries: its plan's (unset = 0, unlimited), or while suspended 1 for each period quota.</summary>
    internal static ProjectQuota Quota(TenantPlanSettings settings, bool suspended) => new()
    {
        ActiveTimeSeconds = suspended ? SuspensionQuota : settings.ActiveTimeSecondsQuota ?? 0,
        ComputeTimeSeconds = suspended ? SuspensionQuota : settings.ComputeTimeSecondsQuota ?? 0,
        WrittenDataBytes = suspended ? SuspensionQuota : settings.WrittenDataBytesQuota ?? 0,
        DataTransferBytes = suspended ? SuspensionQuota : settings.DataTransferBytesQuota ?? 0,
        LogicalSizeBytes = settings.LogicalSizeBytesQuota ?? 0,
    };

    internal static ProjectUpdateRequest ProjectPatch(TenantPlanSettings settings, bool suspended) => new()
    {
        Project = new ProjectUpdateRequestProject
        {
            Settings = new ProjectSettingsData { Quota = Quota(settings, suspended) },
            DefaultEndpointSettings = settings.AutoscalingMinCu is null && settings.AutoscalingMaxCu is null && settings.SuspendTimeout is null
                ? null
                : new DefaultEndpointSettings
                {
                    AutoscalingLimitMinCu = settings.AutoscalingMinCu,
                    AutoscalingLimitMaxCu = settings.AutoscalingMaxCu,
                    SuspendTimeoutSeconds = SuspendSeconds(settings),
                },
            HistoryRetentionSeconds = RetentionSeconds(settings),
        },
    };

    internal static EndpointUpdateRequest? EndpointPatch(TenantPlanSettings settings) =>
        settings.AutoscalingMinCu is null && settings.AutoscalingMaxCu is null && settings.SuspendTimeout is null
            ? null
            : new EndpointUpdateRequest
            {
                Endpoint = new EndpointUpdateRequestEndpoint
                {
                    AutoscalingLimitMinCu = settings.AutoscalingMinCu,
                    AutoscalingLimitMaxCu = settings.AutoscalingMaxCu,
                    SuspendTimeoutSeconds = SuspendSeconds(settings),
                },
            };

    /// <summary>Neon's <c>suspend_timeout_seconds</c>: -1 = never.</summary>
    internal static long? SuspendSeconds(TenantPlanSettings settings) =>
        settings.SuspendTimeout is { } suspend ? suspend == Timeout.InfiniteTimeSpan ? -1 : (long)suspend.TotalSeconds : null;

    internal static int? RetentionSeconds(TenantPlanSettings settings) =>
        settings.HistoryRetention is { } retention ? checked((int)retention.TotalSeconds) : null;

    private sealed record DriftCheck(TenantPlanDrift Drift, TenantPlanSettings Settings, bool Suspended);
}
