using System.Globalization;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// IUsageClient.GetFleetUsageAgainstPlanAsync: every tenant's current-period counters against its plan's limits, and
/// the tour's IUsageThresholdObserver told once when a tenant approaches or reaches a limit.
/// </summary>
internal sealed class UsageStep : ITourStep
{
    public string Title => "Usage against plan: what each tenant used this billing period";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        if (tour.Fake is { } fake)
        {
            // The fake's counters never grow by themselves: simulate a busy month. acme nears its free plan's active hours.
            tour.Out.Note("The fake's usage counters are simulated here (NeonFakeServer.SetUsageAsync); Neon reports real ones.");
            for (var i = 0; i < tour.Tenants.Count; i++)
            {
                var record = await tour.Provider.GetAsync(tour.Tenant(i).Id, cancellationToken)
                    ?? throw new InvalidOperationException($"Tenant {tour.Tenant(i).Id} is not in the catalog.");
                await fake.SetUsageAsync(record.ProjectId!, Simulated[i % Simulated.Length], cancellationToken);
            }
        }

        var noticesBefore = tour.Thresholds.Count;
        var fleet = await tour.Usage.GetFleetUsageAgainstPlanAsync(cancellationToken);
        var ours = tour.Tenants.Select(t => t.Id).ToHashSet();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var tenant in fleet.Tenants.Where(t => ours.Contains(t.TenantId)).OrderBy(t => t.TenantId.Value, StringComparer.Ordinal))
        {
            var first = true;
            IReadOnlyList<string> Row(string metric, string used, string limit, string bar)
            {
                IReadOnlyList<string> row = first ? [tenant.TenantId.Value, tenant.Plan, metric, used, limit, bar] : ["", "", metric, used, limit, bar];
                first = false;
                return row;
            }

            foreach (var limit in tenant.Limits)
            {
                rows.Add(Row(Name(limit.Metric), Amount(limit.Metric, limit.Used), Amount(limit.Metric, limit.Limit), Bar(limit)));
            }

            // What the plan does not limit is still counted (and billed).
            var limited = tenant.Limits.Select(l => l.Metric).ToHashSet();
            if (!limited.Contains(UsageLimitMetric.ComputeTime))
            {
                rows.Add(Row(Name(UsageLimitMetric.ComputeTime), Amount(UsageLimitMetric.ComputeTime, (long)tenant.Usage.ComputeTime.TotalSeconds), "unlimited", ""));
            }
        }

        if (fleet.Tenants.FirstOrDefault(t => ours.Contains(t.TenantId)) is { } any)
        {
            tour.Out.Line($"Billing period {any.Usage.PeriodStart.UtcDateTime:yyyy-MM-dd} to {any.Usage.PeriodEnd.UtcDateTime:yyyy-MM-dd} (UTC), as Neon counts it per project:");
        }

        tour.Out.Table(["tenant", "plan", "metric", ">used", ">limit", "of limit"], rows);
        if (fleet.Failed.Count > 0)
        {
            throw new InvalidOperationException($"Usage could not be read for {string.Join(", ", fleet.Failed.Keys)}.");
        }

        var told = tour.Thresholds.Count - noticesBefore;
        if (tour.Fake is not null && told == 0)
        {
            throw new InvalidOperationException("The observer heard nothing although the simulated usage puts acme at 82 % of its active hours.");
        }

        tour.Out.Ok($"IUsageThresholdObserver called {told} time(s): once per crossing of a tenant's limit (at NeonTenancy:Usage:ThresholdPercent, 80 %, and at 100 %), not on every read.");

        // Reading again tells the observer nothing new: the crossing was already reported this period.
        var again = tour.Thresholds.Count;
        await tour.Usage.GetFleetUsageAgainstPlanAsync(cancellationToken);
        var repeated = tour.Thresholds.Count - again;
        if (repeated != 0)
        {
            throw new InvalidOperationException($"The observer was told {repeated} time(s) again about crossings it had heard.");
        }

        tour.Out.Ok("Read again: no new notification.");
    }

    // Index 0 is acme (free: 50 active hours), 1 globex (pro: 300 CU-hours), 2 initech (enterprise: 100 GB).
    private static readonly NeonFakeUsage[] Simulated =
    [
        new() { ActiveTimeSeconds = 41 * 3600, ComputeTimeSeconds = 10 * 3600 + 900, WrittenDataBytes = 200_000_000, DataTransferBytes = 1_200_000_000, DataStorageBytesHour = 150_000_000L * 600, SyntheticStorageSize = 310_000_000, LogicalSizeBytes = 310_000_000 },
        new() { ActiveTimeSeconds = 180 * 3600, ComputeTimeSeconds = 212 * 3600, WrittenDataBytes = 3_400_000_000, DataTransferBytes = 40_000_000_000, DataStorageBytesHour = 6_200_000_000L * 600, SyntheticStorageSize = 6_200_000_000, LogicalSizeBytes = 6_200_000_000 },
        new() { ActiveTimeSeconds = 640 * 3600, ComputeTimeSeconds = 2_900 * 3600, WrittenDataBytes = 48_000_000_000, DataTransferBytes = 250_000_000_000, DataStorageBytesHour = 37_000_000_000L * 600, SyntheticStorageSize = 37_000_000_000, LogicalSizeBytes = 37_000_000_000 },
    ];

    internal static string Name(UsageLimitMetric metric) => metric switch
    {
        UsageLimitMetric.ActiveTime => "active time",
        UsageLimitMetric.ComputeTime => "compute time",
        UsageLimitMetric.WrittenData => "written data",
        UsageLimitMetric.DataTransfer => "data transfer",
        UsageLimitMetric.LogicalSize => "storage (logical size)",
        _ => metric.ToString(),
    };

    /// <summary>A metric's amount in a person's units: hours, CU-hours or GB (10^9 bytes, as Neon bills).</summary>
    internal static string Amount(UsageLimitMetric metric, long value) => metric switch
    {
        UsageLimitMetric.ActiveTime => string.Create(CultureInfo.InvariantCulture, $"{value / 3600d:#,0.##} h"),
        UsageLimitMetric.ComputeTime => string.Create(CultureInfo.InvariantCulture, $"{value / 3600d:#,0.##} CU-h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value / 1e9:#,0.##} GB"),
    };

    internal static string Bar(UsageLimit limit)
    {
        var filled = (int)Math.Clamp(Math.Round(limit.Percent / 5), 0, 20);
        var state = limit.Exceeded ? "  reached" : "";
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "] " + string.Create(CultureInfo.InvariantCulture, $"{limit.Percent:0} %") + state;
    }
}
