using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// IPlanLimits: acme, near its free plan's limit, upgrades to pro live; then a project changed behind the SDK's back is
/// found (CheckDriftAsync) and put back in line (ReconcileAsync).
/// </summary>
internal sealed class PlanChangeStep : ITourStep
{
    public string Title => "Change a plan live, then find and fix drift";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        // 1. The upgrade: quotas, default endpoint settings and the running compute, then the catalog and the connections.
        var tenant = tour.Tenant(0).Id;
        var current = await tour.Provider.GetAsync(tenant, cancellationToken)
            ?? throw new InvalidOperationException($"Tenant {tenant} is not in the catalog.");
        var before = (await tour.Api.Projects.GetProjectAsync(current.ProjectId!, cancellationToken)).Project;
        TenantRecord changed = null!;
        var took = await Tour.TimeAsync(async () => changed = await tour.Plans.ChangePlanAsync(tenant, "pro", cancellationToken));
        var after = (await tour.Api.Projects.GetProjectAsync(changed.ProjectId!, cancellationToken)).Project;
        tour.Out.Ok($"ChangePlanAsync({tenant}, \"pro\"): plan {current.Plan} -> {changed.Plan} in {TourOutput.Ms(took)}; its cached connections are rebuilt with the new pool size.");
        tour.Out.Table(
            ["setting on Neon", $"before ({current.Plan})", $"after ({changed.Plan})"],
            Describe(before).Zip(Describe(after), (b, a) => (IReadOnlyList<string>)[b.Setting, b.Value, a.Value]));

        var usage = await tour.Usage.GetUsageAgainstPlanAsync(tenant, cancellationToken);
        tour.Out.Ok($"{tenant} against {usage.Plan} now: " + (usage.Limits.Count == 0
            ? "no limited metric."
            : string.Join("; ", usage.Limits.Select(l => $"{UsageStep.Name(l.Metric)} {UsageStep.Amount(l.Metric, l.Used)} of {UsageStep.Amount(l.Metric, l.Limit)} ({l.Percent.ToString("0", CultureInfo.InvariantCulture)} %)"))));
        if (usage.AnyExceeded)
        {
            throw new InvalidOperationException($"{tenant} is over a limit of its new plan.");
        }

        // 2. Drift: someone halves globex's history retention in the Neon console.
        var other = tour.Tenant(1).Id;
        var record = await tour.Provider.GetAsync(other, cancellationToken)
            ?? throw new InvalidOperationException($"Tenant {other} is not in the catalog.");
        var project = (await tour.Api.Projects.GetProjectAsync(record.ProjectId!, cancellationToken)).Project;
        var edited = await tour.Api.Projects.UpdateProjectAsync(record.ProjectId!, new ProjectUpdateRequest
        {
            Project = new ProjectUpdateRequestProject { HistoryRetentionSeconds = project.HistoryRetentionSeconds / 2 },
        }, cancellationToken);
        await tour.Api.WaitForOperationsAsync(edited.Operations, TimeSpan.FromMinutes(2), cancellationToken: cancellationToken);
        tour.Out.Line($"Someone halves {other}'s history retention in the Neon console, behind the SDK's back.");

        var drift = await tour.Plans.CheckDriftAsync(other, cancellationToken);
        if (!drift.HasDrift)
        {
            throw new InvalidOperationException($"CheckDriftAsync({other}) missed the edited history retention.");
        }

        tour.Out.Ok($"CheckDriftAsync({other}) finds it:");
        tour.Out.Table(["setting", $"plan ({drift.Plan})", "actual"], drift.Differences.Select(d => (IReadOnlyList<string>)[d.Setting, d.Expected ?? "-", d.Actual ?? "unset"]));

        PlanReconcileReport report = null!;
        took = await Tour.TimeAsync(async () => report = await tour.Plans.ReconcileAsync(new PlanReconcileOptions { MaxConcurrency = 4 }, cancellationToken));
        tour.Out.Ok($"ReconcileAsync() in {TourOutput.Ms(took)}: {report.Checked} tenant(s) checked, {report.Drifted.Count} drifted, {report.Fixed.Count} fixed, {report.Failed.Count} failed.");
        if (report.Failed.Count > 0 || (await tour.Plans.CheckDriftAsync(other, cancellationToken)).HasDrift)
        {
            throw new InvalidOperationException($"ReconcileAsync did not put {other} back in line with its plan.");
        }

        tour.Out.Ok($"CheckDriftAsync({other}) again: Neon's settings match the plan.");
    }

    /// <summary>The plan-related settings of a project as Neon reports them.</summary>
    private static IEnumerable<(string Setting, string Value)> Describe(Project project)
    {
        var quota = project.Settings?.Quota;
        var endpoint = project.DefaultEndpointSettings;
        yield return ("active time quota", Quota(quota?.ActiveTimeSeconds, UsageLimitMetric.ActiveTime));
        yield return ("compute time quota", Quota(quota?.ComputeTimeSeconds, UsageLimitMetric.ComputeTime));
        yield return ("written data quota", Quota(quota?.WrittenDataBytes, UsageLimitMetric.WrittenData));
        yield return ("storage (logical size) quota", Quota(quota?.LogicalSizeBytes, UsageLimitMetric.LogicalSize));
        yield return ("autoscaling", endpoint?.AutoscalingLimitMinCu is { } min && endpoint.AutoscalingLimitMaxCu is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"{min:0.##} - {max:0.##} CU")
            : "-");
        yield return ("history retention", Duration(TimeSpan.FromSeconds(project.HistoryRetentionSeconds)));
    }

    internal static string Quota(long? value, UsageLimitMetric metric) => value is null or 0 ? "unlimited" : UsageStep.Amount(metric, value.Value);

    private static string Duration(TimeSpan value) =>
        value.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalDays:0.#} days")
            : string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours:0.#} hours");
}
