using System.Globalization;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// Usage against plan, per tenant: Neon's current-period counters (GET /projects/{id}) next to the project's quotas.
/// TEMPORARY: reads the counters through NeonApiClient until IUsageClient.GetUsageAgainstPlanAsync (issue 7) exists.
/// </summary>
internal sealed class UsageStep : ITourStep
{
    private const double Gb = PlanChangeStep.Gb;

    public string Title => "Usage against plan: what each tenant used this billing period";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenants = new List<TenantDatabase>();
        foreach (var tenant in tour.Tenants)
        {
            tenants.Add(await tour.Provider.GetAsync(tenant.Id, cancellationToken)
                ?? throw new InvalidOperationException($"Tenant {tenant.Id} is not in the catalog."));
        }

        if (tour.Fake is { } fake)
        {
            // The fake's counters never grow by themselves: simulate a busy month, inside every plan's quota.
            tour.Out.Note("The fake's usage counters are simulated here (NeonFakeServer.SetUsageAsync); Neon reports real ones.");
            for (var i = 0; i < tenants.Count; i++)
            {
                await fake.SetUsageAsync(tenants[i].ProjectId!, Simulated[i % Simulated.Length]);
            }
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var tenant in tenants)
        {
            var project = (await tour.Api.Projects.GetProjectAsync(tenant.ProjectId!, cancellationToken)).Project;
            var quota = project.Settings?.Quota;
            rows.Add(Row(tenant, "active time", project.ActiveTimeSeconds, quota?.ActiveTimeSeconds, 3600, "h"));
            rows.Add(Row(tenant, "compute time", project.ComputeTimeSeconds, quota?.ComputeTimeSeconds, 3600, "CU-h"));
            rows.Add(Row(tenant, "written data", project.WrittenDataBytes, quota?.WrittenDataBytes, Gb, "GB"));
            rows.Add(Row(tenant, "storage", project.SyntheticStorageSize ?? 0, quota?.LogicalSizeBytes, Gb, "GB"));
        }

        tour.Out.Table(["tenant", "plan", "metric", ">used", ">limit", "of limit"], rows);
    }

    private static readonly NeonFakeUsage[] Simulated =
    [
        new() { ActiveTimeSeconds = 41 * 3600, ComputeTimeSeconds = 10 * 3600 + 900, WrittenDataBytes = (long)(0.2 * Gb), SyntheticStorageSize = (long)(0.31 * Gb) },
        new() { ActiveTimeSeconds = 180 * 3600, ComputeTimeSeconds = 212 * 3600, WrittenDataBytes = (long)(3.4 * Gb), SyntheticStorageSize = (long)(6.2 * Gb) },
        new() { ActiveTimeSeconds = 720 * 3600, ComputeTimeSeconds = 2900 * 3600, WrittenDataBytes = (long)(48 * Gb), SyntheticStorageSize = (long)(37 * Gb) },
    ];

    private static IReadOnlyList<string> Row(TenantDatabase tenant, string metric, long used, long? limit, double unit, string suffix)
    {
        var usedText = string.Create(CultureInfo.InvariantCulture, $"{used / unit:0.##} {suffix}");
        if (limit is null or 0)
        {
            return [tenant.TenantId.Value, tenant.Plan, metric, usedText, "unlimited", ""];
        }

        var share = (double)used / limit.Value;
        var filled = (int)Math.Clamp(Math.Round(share * 20), 0, 20);
        var bar = "[" + new string('#', filled) + new string('.', 20 - filled) + "] " + share.ToString("P0", CultureInfo.InvariantCulture);
        return [tenant.TenantId.Value, tenant.Plan, metric, usedText, PlanChangeStep.Quota(limit, unit, suffix), bar];
    }
}
