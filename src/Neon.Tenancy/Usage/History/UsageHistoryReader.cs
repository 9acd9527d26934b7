using Microsoft.Extensions.Logging;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// Reads consumption history from Neon: project ids in batches of <see cref="ProjectsPerCall"/>, each batch's cursor
/// pages streamed by the API client (<see cref="ConsumptionClient.ListAllConsumptionHistoryPerProjectV2Async"/>, which
/// also refuses a repeated cursor), and every frame mapped back to its tenant.
/// </summary>
internal sealed class UsageHistoryReader(NeonApiClient api, TimeProvider time, ILogger<UsageHistoryReader> logger)
{
    /// <summary>Neon accepts at most 100 project ids (and 100 projects per page) in one consumption call.</summary>
    internal const int ProjectsPerCall = 100;

    /// <summary>Reads the history of every tenant of the query that has a project.</summary>
    /// <param name="query">The checked request.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history, ordered by tenant id.</returns>
    /// <exception cref="NeonApiException">Neon refused a call, or repeated a pagination cursor.</exception>
    public async Task<UsageHistory> ReadAsync(UsageHistoryQuery query, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var request = query.Request;
        var tenants = new List<TenantUsageHistory>(query.Tenants.WithProject.Count);
        var batches = 0;
        foreach (var batch in query.Tenants.WithProject.Chunk(ProjectsPerCall))
        {
            batches++;
            tenants.AddRange(await ReadBatchAsync(query, batch, cancellationToken).ConfigureAwait(false));
        }

        tenants.Sort(static (a, b) => a.TenantId.CompareTo(b.TenantId));
        UsageLog.HistoryReadInBatches(logger, tenants.Count, request.Granularity, batches, time.GetElapsedTime(started).TotalSeconds);
        return new UsageHistory(request.From, request.To, request.Granularity, query.Metrics, tenants, query.Tenants.WithoutProject);
    }

    /// <summary>One batch: its pages, until every project of the batch is in or Neon has no further page.</summary>
    private async Task<List<TenantUsageHistory>> ReadBatchAsync(UsageHistoryQuery query, TenantRecord[] batch, CancellationToken cancellationToken)
    {
        var byProject = new Dictionary<string, (TenantId Tenant, List<UsageTimeframe> Frames)>(StringComparer.Ordinal);
        foreach (var record in batch)
        {
            byProject.TryAdd(record.ProjectId!, (record.TenantId, []));
        }

        var waiting = new HashSet<string>(byProject.Keys, StringComparer.Ordinal);
        var projectIds = byProject.Keys.ToList();
        var request = query.Request;
        var projects = api.Consumption.ListAllConsumptionHistoryPerProjectV2Async(
            request.From, request.To, ToWire(request.Granularity), query.OrgId, [.. query.Metrics.Select(UsageMetricNames.ToWire)],
            projectIds, projectIds.Count, cancellationToken);
        await foreach (var project in projects.ConfigureAwait(false))
        {
            if (!byProject.TryGetValue(project.ProjectId, out var entry))
            {
                continue;
            }

            foreach (var period in project.Periods ?? [])
            {
                foreach (var frame in period.Consumption ?? [])
                {
                    entry.Frames.Add(ToTimeframe(frame, period, query.Metrics));
                }
            }

            // Neon answers with a cursor even on the last page: stop once every project is in, so no call is spent on nothing.
            if (waiting.Remove(project.ProjectId) && waiting.Count == 0)
            {
                break;
            }
        }

        var tenants = new List<TenantUsageHistory>(byProject.Count);
        foreach (var (projectId, entry) in byProject)
        {
            if (waiting.Contains(projectId))
            {
                UsageLog.HistoryProjectMissing(logger, projectId, entry.Tenant.Value);
            }

            entry.Frames.Sort(static (a, b) => a.Start.CompareTo(b.Start));
            tenants.Add(new TenantUsageHistory(entry.Tenant, projectId, entry.Frames));
        }

        return tenants;
    }

    private static ConsumptionHistoryGranularity ToWire(UsageGranularity granularity) => granularity switch
    {
        UsageGranularity.Hourly => ConsumptionHistoryGranularity.Hourly,
        UsageGranularity.Daily => ConsumptionHistoryGranularity.Daily,
        _ => ConsumptionHistoryGranularity.Monthly,
    };

    /// <summary>One frame in typed units: every metric read is present (0 when Neon sent none), metrics not read stay null.</summary>
    private static UsageTimeframe ToTimeframe(ConsumptionHistoryPerTimeframeV2 frame, ConsumptionHistoryPerPeriodV2 period, IReadOnlyList<UsageMetric> metrics)
    {
        var values = UsageValues.Empty;
        foreach (var metric in metrics)
        {
            values = values.With(metric, 0);
        }

        foreach (var value in frame.Metrics ?? [])
        {
            if (UsageMetricNames.TryParse(value.MetricName, out var metric) && metrics.Contains(metric))
            {
                values = values.With(metric, value.Value);
            }
        }

        var start = frame.TimeframeStart ?? period.PeriodStart;
        return new UsageTimeframe(start, frame.TimeframeEnd ?? period.PeriodEnd ?? start, values);
    }
}
