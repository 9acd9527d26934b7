using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>IPlanLimits.ChangePlanAsync: a tenant upgrades, and Neon's quotas and autoscaling follow.</summary>
internal sealed class PlanChangeStep : ITourStep
{
    public string Title => "Change a plan: free -> pro";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenant = tour.Tenant(0).Id;
        var current = await tour.Provider.GetAsync(tenant, cancellationToken)
            ?? throw new InvalidOperationException($"Tenant {tenant} is not in the catalog.");
        var before = (await tour.Api.Projects.GetProjectAsync(current.ProjectId!, cancellationToken)).Project;

        // TEMPORARY GLUE until the plans registration (issue 7) is merged: IPlanLimits is used only when registered.
        var limits = tour.Services.GetService<IPlanLimits>();
        if (limits is null)
        {
            tour.Out.Warn("plans not registered in this build: IPlanLimits (ConfigurePlans, NeonTenancy:Plans) is not merged yet.");
            tour.Out.Note($"Once it is, ChangePlanAsync({tenant}, \"pro\") patches the project's quotas and autoscaling, waits for");
            tour.Out.Note("Neon's operations, records the plan in the catalog and drops the tenant's cached connections.");
            tour.Out.Line($"{tenant} stays on plan {current.Plan}; its project's settings on Neon today:");
            tour.Out.Table(["setting", current.Plan], Describe(before).Select(s => (IReadOnlyList<string>)[s.Setting, s.Value]));
            return;
        }

        TenantDatabase changed = null!;
        var took = await Tour.TimeAsync(async () => changed = await limits.ChangePlanAsync(tenant, "pro", cancellationToken));
        var after = (await tour.Api.Projects.GetProjectAsync(changed.ProjectId!, cancellationToken)).Project;
        tour.Out.Ok($"{tenant}: plan {current.Plan} -> {changed.Plan} ({TourOutput.Ms(took)}).");
        tour.Out.Table(
            ["setting on Neon", $"before ({current.Plan})", $"after ({changed.Plan})"],
            Describe(before).Zip(Describe(after), (b, a) => (IReadOnlyList<string>)[b.Setting, b.Value, a.Value]));

        var drift = await limits.CheckDriftAsync(tenant, cancellationToken);
        tour.Out.Ok(drift.HasDrift
            ? $"Drift found: {string.Join(", ", drift.Differences.Select(d => d.Setting))}"
            : "CheckDriftAsync: Neon's settings match the plan.");
    }

    /// <summary>The plan-related settings of a project as Neon reports them.</summary>
    internal static IEnumerable<(string Setting, string Value)> Describe(Project project)
    {
        var quota = project.Settings?.Quota;
        var endpoint = project.DefaultEndpointSettings;
        yield return ("active time quota", Quota(quota?.ActiveTimeSeconds, 3600, "h"));
        yield return ("compute time quota", Quota(quota?.ComputeTimeSeconds, 3600, "CU-h"));
        yield return ("written data quota", Quota(quota?.WrittenDataBytes, Gb, "GB"));
        yield return ("storage (logical size) quota", Quota(quota?.LogicalSizeBytes, Gb, "GB"));
        yield return ("autoscaling", endpoint?.AutoscalingLimitMinCu is { } min && endpoint.AutoscalingLimitMaxCu is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"{min:0.##} - {max:0.##} CU")
            : "-");
        yield return ("history retention", Duration(TimeSpan.FromSeconds(project.HistoryRetentionSeconds)));
    }

    internal const double Gb = 1024d * 1024 * 1024;

    internal static string Quota(long? value, double unit, string suffix) =>
        value is null or 0 ? "unlimited" : string.Create(CultureInfo.InvariantCulture, $"{value.Value / unit:0.##} {suffix}");

    private static string Duration(TimeSpan value) =>
        value.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalDays:0.#} days")
            : string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours:0.#} hours");
}
