using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// Drift: compares a tenant's project in Neon with its settings (<see cref="PlanBook.GetRecordedSettings(TenantRecord)"/>:
/// its own override or its plan's) and fixes what differs, for <see cref="IPlanLimits.CheckDriftAsync"/> and
/// <see cref="IPlanLimits.ReconcileAsync"/>.
/// </summary>
/// <remarks>
/// What is compared: all five quotas (an unset quota is expected as 0, Neon's "unlimited"), and the compute and
/// retention settings the plan sets (unset ones are not managed and not compared). A suspended tenant is expected to
/// carry the suspension quotas.
/// </remarks>
internal sealed class PlanDrift(PlanBook book, TenantMutator kit, PlanApplier applier, ILogger logger)
{
    private const string EndpointPrefix = "endpoint.";

    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant has no project.</exception>
    /// <exception cref="NeonApiException">Neon could not be read.</exception>
    public async Task<TenantPlanDrift> CheckAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await kit.RequireProjectAsync(tenantId, "drift check", cancellationToken).ConfigureAwait(false);
        return (await CheckAsync(record, cancellationToken).ConfigureAwait(false)).Drift;
    }

    public async Task<PlanReconcileReport> ReconcileAsync(PlanReconcileOptions? options, CancellationToken cancellationToken)
    {
        options ??= new PlanReconcileOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        var tenants = new List<TenantRecord>();
        foreach (var state in (TenantState[])[TenantState.Ready, TenantState.Suspended])
        {
            await foreach (var record in kit.Catalog.ListAllAsync(new TenantQuery { State = state }, cancellationToken).ConfigureAwait(false))
            {
                if (record.ProjectId is not null)
                {
                    tenants.Add(record);
                }
            }
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
                PlansLog.ReconcileFailed(logger, exception, record.TenantId.Value);
            }
        }).ConfigureAwait(false);

        var report = new PlanReconcileReport(
            tenants.Count,
            [.. drifted.OrderBy(d => d.TenantId.Value, StringComparer.Ordinal)],
            [.. fixedTenants.OrderBy(t => t.Value, StringComparer.Ordinal)],
            failed.ToDictionary());
        PlansLog.Reconciled(logger, report.Checked, report.Drifted.Count, report.Fixed.Count, report.Failed.Count, options.DryRun);
        return report;
    }

    private Task<bool> FixAsync(TenantRecord checkedRecord, DriftCheck check, CancellationToken cancellationToken)
    {
        var tenantId = checkedRecord.TenantId;
        return kit.RunAsync(tenantId, "drift fix", async token =>
        {
            var record = await kit.GetAsync(tenantId, token).ConfigureAwait(false);
            if (record.Version != checkedRecord.Version && (record.State != checkedRecord.State
                || !string.Equals(record.Plan, checkedRecord.Plan, StringComparison.Ordinal) || record.Settings != checkedRecord.Settings))
            {
                // A plan change, suspension or resumption ran in between and applied its own settings.
                PlansLog.ChangedDuringReconcile(logger, tenantId.Value);
                return false;
            }

            var project = check.Drift.Differences.Any(d => !d.Setting.StartsWith(EndpointPrefix, StringComparison.Ordinal));
            var endpoint = check.Drift.Differences.Any(d => d.Setting.StartsWith(EndpointPrefix, StringComparison.Ordinal));
            if (project)
            {
                await applier.ApplyProjectAsync(record.ProjectId!, check.Settings, check.Suspended, token).ConfigureAwait(false);
            }

            if (endpoint)
            {
                await applier.ApplyEndpointAsync(record, check.Settings, token).ConfigureAwait(false);
            }

            PlansLog.DriftFixed(logger, tenantId.Value, project, endpoint);
            return true;
        }, cancellationToken);
    }

    private async Task<DriftCheck> CheckAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var settings = book.GetRecordedSettings(record);
        var suspended = record.State == TenantState.Suspended;
        var api = kit.Api;
        var project = (await api.Projects.GetProjectAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false)).Project;
        Endpoint? endpoint = null;
        if (record.EndpointId is not null && NeonPlanSettings.ManagesCompute(settings))
        {
            endpoint = (await api.Endpoints.GetProjectEndpointAsync(record.ProjectId!, record.EndpointId, cancellationToken).ConfigureAwait(false)).Endpoint;
        }

        var differences = Compare(settings, suspended, project, endpoint);
        if (differences.Count > 0)
        {
            PlansLog.DriftFound(logger, record.TenantId.Value, record.ProjectId!, differences.Count, record.Plan);
            foreach (var difference in differences)
            {
                PlansLog.DriftSetting(logger, record.TenantId.Value, difference.Setting, difference.Actual, record.Plan, difference.Expected);
            }
        }

        return new DriftCheck(new TenantPlanDrift(record.TenantId, record.Plan, differences), settings, suspended);
    }

    internal static List<PlanSettingDifference> Compare(TenantPlanSettings settings, bool suspended, Project project, Endpoint? endpoint)
    {
        var differences = new List<PlanSettingDifference>();
        var expected = NeonPlanSettings.Quota(settings, suspended);
        var actual = project.Settings?.Quota;
        QuotaDiff(differences, "settings.quota.active_time_seconds", expected.ActiveTimeSeconds, actual?.ActiveTimeSeconds);
        QuotaDiff(differences, "settings.quota.compute_time_seconds", expected.ComputeTimeSeconds, actual?.ComputeTimeSeconds);
        QuotaDiff(differences, "settings.quota.written_data_bytes", expected.WrittenDataBytes, actual?.WrittenDataBytes);
        QuotaDiff(differences, "settings.quota.data_transfer_bytes", expected.DataTransferBytes, actual?.DataTransferBytes);
        QuotaDiff(differences, "settings.quota.logical_size_bytes", expected.LogicalSizeBytes, actual?.LogicalSizeBytes);

        var suspendSeconds = NeonPlanSettings.SuspendSeconds(settings);
        var defaults = project.DefaultEndpointSettings;
        ValueDiff(differences, "default_endpoint_settings.autoscaling_limit_min_cu", settings.AutoscalingMinCu, defaults?.AutoscalingLimitMinCu);
        ValueDiff(differences, "default_endpoint_settings.autoscaling_limit_max_cu", settings.AutoscalingMaxCu, defaults?.AutoscalingLimitMaxCu);
        ValueDiff(differences, "default_endpoint_settings.suspend_timeout_seconds", suspendSeconds, defaults?.SuspendTimeoutSeconds);
        ValueDiff(differences, "history_retention_seconds", NeonPlanSettings.RetentionSeconds(settings), project.HistoryRetentionSeconds);
        if (endpoint is not null)
        {
            ValueDiff(differences, EndpointPrefix + "autoscaling_limit_min_cu", settings.AutoscalingMinCu, endpoint.AutoscalingLimitMinCu);
            ValueDiff(differences, EndpointPrefix + "autoscaling_limit_max_cu", settings.AutoscalingMaxCu, endpoint.AutoscalingLimitMaxCu);
            ValueDiff(differences, EndpointPrefix + "suspend_timeout_seconds", suspendSeconds, endpoint.SuspendTimeoutSeconds);
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

    private sealed record DriftCheck(TenantPlanDrift Drift, TenantPlanSettings Settings, bool Suspended);
}
