using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// A tenant's current counters against the limits of its plan (<see cref="IPlanLimits"/>), in Neon's units; each read is
/// handed to the <see cref="UsageThresholdTracker"/>, which notifies the crossings.
/// </summary>
internal sealed class PlanUsageReader(CurrentUsageReader counters, NeonApiClient api, IPlanLimits plans, UsageThresholdTracker thresholds)
{
    /// <summary>Reads the counters (and the branch's logical size when the plan limits it) and compares them with the plan.</summary>
    /// <param name="record">The tenant; it names a project.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Each limited metric against its limit, in <see cref="UsageLimitMetric"/> order.</returns>
    /// <exception cref="UnknownPlanException">The tenant's plan is not configured.</exception>
    /// <exception cref="NeonApiException">Neon refused a read.</exception>
    public async Task<TenantUsageAgainstPlan> ReadAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var settings = plans.GetSettings(record.Plan);
        var usage = await counters.ReadAsync(record, cancellationToken).ConfigureAwait(false);
        var limits = new List<UsageLimit>(5);
        Add(limits, UsageLimitMetric.ActiveTime, (long)usage.ActiveTime.TotalSeconds, settings.ActiveTimeSecondsQuota);
        Add(limits, UsageLimitMetric.ComputeTime, (long)usage.ComputeTime.TotalSeconds, settings.ComputeTimeSecondsQuota);
        Add(limits, UsageLimitMetric.WrittenData, usage.WrittenBytes, settings.WrittenDataBytesQuota);
        Add(limits, UsageLimitMetric.DataTransfer, usage.TransferBytes, settings.DataTransferBytesQuota);
        if (settings.LogicalSizeBytesQuota is > 0 && !string.IsNullOrEmpty(record.BranchId))
        {
            // Logical size is not a period counter: it is the branch's current size, one GET of the tenant's branch.
            var branch = await api.Branches.GetProjectBranchAsync(record.ProjectId!, record.BranchId, cancellationToken).ConfigureAwait(false);
            Add(limits, UsageLimitMetric.LogicalSize, branch.Branch.LogicalSize ?? 0, settings.LogicalSizeBytesQuota);
        }

        var result = new TenantUsageAgainstPlan(usage, record.Plan, limits);
        await thresholds.ObserveAsync(result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Lists a metric with a positive quota; 0 and null mean unlimited, so the metric is not listed.</summary>
    private static void Add(List<UsageLimit> limits, UsageLimitMetric metric, long used, long? quota)
    {
        if (quota is > 0)
        {
            limits.Add(new UsageLimit(metric, used, quota.Value));
        }
    }
}
