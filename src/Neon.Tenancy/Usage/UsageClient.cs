using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>The <see cref="IUsageClient"/> over the Neon API client, the catalog and <see cref="IPlanLimits"/>.</summary>
internal sealed class UsageClient : IUsageClient
{
    /// <summary>Neon accepts at most 100 project ids (and 100 projects per page) in one consumption call.</summary>
    internal const int ProjectsPerCall = 100;

    /// <summary>Neon keeps no consumption history before this instant.</summary>
    internal static readonly DateTimeOffset HistoryEpoch = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ITenantCatalog _catalog;
    private readonly NeonApiClient _api;
    private readonly IPlanLimits _plans;
    private readonly IOptionsMonitor<NeonApiOptions> _apiOptions;
    private readonly UsageOptions _options;
    private readonly IUsageThresholdObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CachedHistory> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<UsageHistory>> _historyReads = new(StringComparer.Ordinal);
    private readonly UsageThresholdTracker _tracker = new();

    public UsageClient(
        ITenantCatalog catalog,
        NeonApiClient api,
        IPlanLimits plans,
        IOptionsMonitor<NeonApiOptions> apiOptions,
        IOptions<UsageOptions> options,
        IEnumerable<IUsageThresholdObserver> observers,
        TimeProvider time,
        ILogger<UsageClient> logger)
    {
        _catalog = catalog;
        _api = api;
        _plans = plans;
        _apiOptions = apiOptions;
        _options = options.Value;
        _observers = [.. observers];
        _time = time;
        _logger = logger;
    }

    public async Task<TenantUsage> GetCurrentUsageAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await RequireProjectAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return await ReadCountersAsync(record, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FleetUsage> GetFleetUsageAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var (withProject, withoutProject) = await ListFleetAsync(cancellationToken).ConfigureAwait(false);
        var (read, failed) = await ForEachTenantAsync(withProject, ReadCountersAsync, cancellationToken).ConfigureAwait(false);
        UsageLog.FleetRead(_logger, read.Count, withoutProject.Count, failed.Count, _time.GetElapsedTime(started).TotalSeconds);
        return new FleetUsage(read, UsageTotals.Sum(read), withoutProject, failed);
    }

    public async Task<TenantUsageAgainstPlan> GetUsageAgainstPlanAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        var record = await RequireProjectAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return await AgainstPlanAsync(record, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FleetUsageAgainstPlan> GetFleetUsageAgainstPlanAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var (withProject, withoutProject) = await ListFleetAsync(cancellationToken).ConfigureAwait(false);
        var (read, failed) = await ForEachTenantAsync(withProject, AgainstPlanAsync, cancellationToken).ConfigureAwait(false);
        UsageLog.FleetRead(_logger, read.Count, withoutProject.Count, failed.Count, _time.GetElapsedTime(started).TotalSeconds);
        return new FleetUsageAgainstPlan(read, withoutProject, failed);
    }

    public async Task<UsageHistory> GetHistoryAsync(UsageHistoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metrics = ValidateMetrics(request);
        ValidateWindow(request, _time.GetUtcNow());
        var orgId = _apiOptions.CurrentValue.OrgId;
        if (string.IsNullOrWhiteSpace(orgId))
        {
            throw new UsageOrgIdRequiredException();
        }

        var (withProject, withoutProject) = await ResolveTenantsAsync(request, cancellationToken).ConfigureAwait(false);
        var key = CacheKey(request, metrics, orgId, withProject);
        while (true)
        {
            if (_cache.TryGetValue(key, out var cached) && cached.ExpiresAt > _time.GetUtcNow())
            {
                UsageLog.HistoryCacheHit(_logger, withProject.Count, request.Granularity, cached.ExpiresAt);
                return cached.History;
            }

            // Single flight: identical reads that arrive while one is under way share its calls and its answer.
            var mine = new TaskCompletionSource<UsageHistory>(TaskCreationOptions.RunContinuationsAsynchronously);
            var read = _historyReads.GetOrAdd(key, mine.Task);
            if (read != mine.Task)
            {
                try
                {
                    return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    continue; // the caller that was reading gave up; read again (or join the next read)
                }
            }

            try
            {
                var history = await ReadHistoryAsync(request, metrics, orgId, withProject, withoutProject, cancellationToken).ConfigureAwait(false);
                if (_options.HistoryCacheDuration > TimeSpan.Zero)
                {
                    var now = _time.GetUtcNow();
                    foreach (var (k, v) in _cache)
                    {
                        if (v.ExpiresAt <= now)
                        {
                            _cache.TryRemove(k, out _);
                        }
                    }

                    _cache[key] = new CachedHistory(now + _options.HistoryCacheDuration, history);
                }

                mine.SetResult(history);
                return history;
            }
            catch (Exception ex)
            {
                if (ex is OperationCanceledException)
                {
                    mine.SetCanceled(CancellationToken.None);
                }
                else
                {
                    mine.SetException(ex);
                    _ = mine.Task.Exception; // observed here; callers that shared the read rethrow it themselves
                }

                throw;
            }
            finally
            {
                _historyReads.TryRemove(new KeyValuePair<string, Task<UsageHistory>>(key, mine.Task));
            }
        }
    }

    /// <summary>Reads the history from Neon: 100 projects per call, every cursor page, mapped back to tenant ids.</summary>
    private async Task<UsageHistory> ReadHistoryAsync(
        UsageHistoryRequest request, List<UsageMetric> metrics, string orgId, List<TenantRecord> withProject, List<TenantId> withoutProject, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var wireMetrics = metrics.Select(UsageMetricNames.ToWire).ToList();
        var granularity = request.Granularity switch
        {
            UsageGranularity.Hourly => ConsumptionHistoryGranularity.Hourly,
            UsageGranularity.Daily => ConsumptionHistoryGranularity.Daily,
            _ => ConsumptionHistoryGranularity.Monthly,
        };

        var tenants = new List<TenantUsageHistory>(withProject.Count);
        var calls = 0;
        foreach (var batch in withProject.Chunk(ProjectsPerCall))
        {
            var byProject = new Dictionary<string, (TenantId Tenant, List<UsageTimeframe> Frames)>(StringComparer.Ordinal);
            foreach (var record in batch)
            {
                byProject.TryAdd(record.ProjectId!, (record.TenantId, []));
            }

            var waiting = new HashSet<string>(byProject.Keys, StringComparer.Ordinal);
            var projectIds = byProject.Keys.ToList();
            var seenCursors = new HashSet<string>(StringComparer.Ordinal);
            string? cursor = null;
            while (true)
            {
                calls++;
                var page = await _api.Consumption.GetConsumptionHistoryPerProjectV2Async(
                    request.From, request.To, granularity, orgId, wireMetrics, cursor, projectIds.Count, projectIds, cancellationToken).ConfigureAwait(false);
                foreach (var project in page.Projects ?? [])
                {
                    if (!byProject.TryGetValue(project.ProjectId, out var entry))
                    {
                        continue;
                    }

                    waiting.Remove(project.ProjectId);
                    foreach (var period in project.Periods ?? [])
                    {
                        foreach (var frame in period.Consumption ?? [])
                        {
                            entry.Frames.Add(ToTimeframe(frame, period, metrics));
                        }
                    }
                }

                cursor = page.Pagination?.Cursor;
                if (waiting.Count == 0 || page.Projects is not { Count: > 0 } || string.IsNullOrEmpty(cursor))
                {
                    break;
                }

                if (!seenCursors.Add(cursor))
                {
                    UsageLog.HistoryCursorRepeated(_logger, cursor);
                    break;
                }
            }

            foreach (var (projectId, entry) in byProject)
            {
                if (waiting.Contains(projectId))
                {
                    UsageLog.HistoryProjectMissing(_logger, projectId, entry.Tenant.Value);
                }

                entry.Frames.Sort(static (a, b) => a.Start.CompareTo(b.Start));
                tenants.Add(new TenantUsageHistory(entry.Tenant, projectId, entry.Frames));
            }
        }

        tenants.Sort(static (a, b) => a.TenantId.CompareTo(b.TenantId));
        var history = new UsageHistory(request.From, request.To, request.Granularity, metrics, tenants, withoutProject);
        UsageLog.HistoryRead(_logger, tenants.Count, request.Granularity, calls, _time.GetElapsedTime(started).TotalSeconds);
        return history;
    }

    /// <summary>Checks the window against Neon's rules (the start rounded down to the granularity, as Neon does).</summary>
    internal static void ValidateWindow(UsageHistoryRequest request, DateTimeOffset now)
    {
        var (from, to, granularity) = (request.From, request.To, request.Granularity);
        if (from >= to)
        {
            throw new UsageWindowException(from, to, granularity, "From must be before To.");
        }

        var start = Floor(from, granularity);
        if (start < HistoryEpoch)
        {
            throw new UsageWindowException(from, to, granularity, "Neon keeps no consumption history before 2024-03-01T00:00:00Z.");
        }

        var (earliest, limit) = granularity switch
        {
            UsageGranularity.Hourly => (now.AddHours(-168), "hourly history reaches back 168 hours"),
            UsageGranularity.Daily => (now.AddDays(-60), "daily history reaches back 60 days"),
            _ => (now.AddYears(-1), "monthly history reaches back 1 year"),
        };
        if (start < earliest)
        {
            throw new UsageWindowException(from, to, granularity, FormattableString.Invariant(
                $"{limit}; From rounded down to {start:O} is before {earliest.ToUniversalTime():O}. Use a later From or a coarser granularity."));
        }
    }

    internal static DateTimeOffset Floor(DateTimeOffset t, UsageGranularity granularity)
    {
        t = t.ToUniversalTime();
        return granularity switch
        {
            UsageGranularity.Hourly => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero),
            UsageGranularity.Daily => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero),
        };
    }

    private static List<UsageMetric> ValidateMetrics(UsageHistoryRequest request)
    {
        if (!Enum.IsDefined(request.Granularity))
        {
            throw new ArgumentException($"Granularity {request.Granularity} is not defined.", nameof(request));
        }

        if (request.Tenants is { Count: 0 })
        {
            throw new ArgumentException("Tenants lists no tenant; pass null to read every tenant.", nameof(request));
        }

        var metrics = (request.Metrics ?? UsageHistoryRequest.DefaultMetrics).Distinct().ToList();
        if (metrics.Count == 0)
        {
            throw new ArgumentException("Metrics lists no metric; pass null for the default set.", nameof(request));
        }

        foreach (var metric in metrics)
        {
            if (!Enum.IsDefined(metric))
            {
                throw new ArgumentException($"Metric {metric} is not defined.", nameof(request));
            }
        }

        metrics.Sort();
        return metrics;
    }

    private static UsageTimeframe ToTimeframe(ConsumptionHistoryPerTimeframeV2 frame, ConsumptionHistoryPerPeriodV2 period, List<UsageMetric> metrics)
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

    private static string CacheKey(UsageHistoryRequest request, List<UsageMetric> metrics, string orgId, List<TenantRecord> tenants)
    {
        var text = new StringBuilder();
        text.Append(orgId).Append('|').Append(request.Granularity).Append('|')
            .Append(request.From.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(request.To.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
            .AppendJoin(',', metrics).Append('|');
        foreach (var t in tenants)
        {
            text.Append(t.TenantId.Value).Append('=').Append(t.ProjectId).Append(';');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private async Task<(List<TenantRecord> WithProject, List<TenantId> WithoutProject)> ResolveTenantsAsync(UsageHistoryRequest request, CancellationToken cancellationToken)
    {
        if (request.Tenants is null)
        {
            return await ListFleetAsync(cancellationToken).ConfigureAwait(false);
        }

        var withProject = new List<TenantRecord>();
        var withoutProject = new List<TenantId>();
        foreach (var tenantId in request.Tenants.Distinct().Order())
        {
            var record = await _catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false)
                ?? throw new TenantNotFoundException(tenantId);
            if (string.IsNullOrEmpty(record.ProjectId))
            {
                withoutProject.Add(tenantId);
            }
            else
            {
                withProject.Add(record);
            }
        }

        return (withProject, withoutProject);
    }

    /// <summary>Every tenant not deleted: those with a project (ordered by tenant id) and those without.</summary>
    private async Task<(List<TenantRecord> WithProject, List<TenantId> WithoutProject)> ListFleetAsync(CancellationToken cancellationToken)
    {
        var withProject = new List<TenantRecord>();
        var withoutProject = new List<TenantId>();
        string? token = null;
        do
        {
            var page = await _catalog.ListAsync(new TenantQuery { PageSize = TenantQuery.MaxPageSize, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var record in page.Items)
            {
                if (record.State is TenantState.Deleting or TenantState.Deleted)
                {
                    continue;
                }

                if (string.IsNullOrEmpty(record.ProjectId))
                {
                    withoutProject.Add(record.TenantId);
                }
                else
                {
                    withProject.Add(record);
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return (withProject, withoutProject);
    }

    private async Task<(List<T> Results, Dictionary<TenantId, string> Failed)> ForEachTenantAsync<T>(
        List<TenantRecord> tenants, Func<TenantRecord, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        where T : class
    {
        var results = new T?[tenants.Count];
        var failed = new ConcurrentDictionary<TenantId, string>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, tenants.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                try
                {
                    results[i] = await read(tenants[i], ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    UsageLog.TenantReadFailed(_logger, ex, tenants[i].TenantId.Value);
                    failed[tenants[i].TenantId] = ex.Message;
                }
            }).ConfigureAwait(false);
        return ([.. results.OfType<T>()], new Dictionary<TenantId, string>(failed));
    }

    private async Task<TenantRecord> RequireProjectAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        var record = await _catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false)
            ?? throw new TenantNotFoundException(tenantId);
        return string.IsNullOrEmpty(record.ProjectId) ? throw new TenantProjectMissingException(tenantId, record.State) : record;
    }

    private async Task<TenantUsage> ReadCountersAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var response = await _api.Projects.GetProjectAsync(record.ProjectId!, cancellationToken).ConfigureAwait(false);
        var p = response.Project;
        return new TenantUsage
        {
            TenantId = record.TenantId,
            ProjectId = p.Id,
            PeriodStart = p.ConsumptionPeriodStart,
            PeriodEnd = p.ConsumptionPeriodEnd,
            ReadAt = _time.GetUtcNow(),
            ActiveTime = TimeSpan.FromSeconds(p.ActiveTimeSeconds),
            ComputeTime = TimeSpan.FromSeconds(p.ComputeTimeSeconds),
            WrittenBytes = p.WrittenDataBytes,
            TransferBytes = p.DataTransferBytes,
            StorageByteHours = p.DataStorageBytesHour,
            StorageBytes = p.SyntheticStorageSize,
        };
    }

    private async Task<TenantUsageAgainstPlan> AgainstPlanAsync(TenantRecord record, CancellationToken cancellationToken)
    {
        var settings = _plans.GetSettings(record.Plan);
        var usage = await ReadCountersAsync(record, cancellationToken).ConfigureAwait(false);
        var limits = new List<UsageLimit>(5);
        Add(limits, UsageLimitMetric.ActiveTime, (long)usage.ActiveTime.TotalSeconds, settings.ActiveTimeSecondsQuota);
        Add(limits, UsageLimitMetric.ComputeTime, (long)usage.ComputeTime.TotalSeconds, settings.ComputeTimeSecondsQuota);
        Add(limits, UsageLimitMetric.WrittenData, usage.WrittenBytes, settings.WrittenDataBytesQuota);
        Add(limits, UsageLimitMetric.DataTransfer, usage.TransferBytes, settings.DataTransferBytesQuota);
        if (settings.LogicalSizeBytesQuota is > 0 && !string.IsNullOrEmpty(record.BranchId))
        {
            var branch = await _api.Branches.GetProjectBranchAsync(record.ProjectId!, record.BranchId, cancellationToken).ConfigureAwait(false);
            Add(limits, UsageLimitMetric.LogicalSize, branch.Branch.LogicalSize ?? 0, settings.LogicalSizeBytesQuota);
        }

        var result = new TenantUsageAgainstPlan(usage, record.Plan, limits);
        foreach (var limit in limits)
        {
            var level = limit.Exceeded ? UsageThresholdLevel.Exceeded
                : limit.Percent >= _options.ThresholdPercent ? UsageThresholdLevel.Approaching
                : UsageThresholdLevel.Normal;
            if (_tracker.Update(record.TenantId, limit.Metric, usage.PeriodStart, level))
            {
                await NotifyAsync(new UsageThresholdCrossing(record.TenantId, record.Plan, level, limit, _options.ThresholdPercent,
                    usage.PeriodStart, usage.PeriodEnd), cancellationToken).ConfigureAwait(false);
            }
        }

        return result;

        static void Add(List<UsageLimit> limits, UsageLimitMetric metric, long used, long? quota)
        {
            if (quota is > 0)
            {
                limits.Add(new UsageLimit(metric, used, quota.Value));
            }
        }
    }

    private async Task NotifyAsync(UsageThresholdCrossing crossing, CancellationToken cancellationToken)
    {
        UsageLog.ThresholdCrossed(_logger, crossing.TenantId.Value, crossing.Plan, crossing.Level, crossing.Limit.Metric,
            crossing.Limit.Used, crossing.Limit.Limit, crossing.Limit.Percent);
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnThresholdCrossedAsync(crossing, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                UsageLog.ObserverFailed(_logger, ex, observer.GetType().Name, crossing.TenantId.Value);
            }
        }
    }

    private sealed record CachedHistory(DateTimeOffset ExpiresAt, UsageHistory History);
}

/// <summary>Remembers the last level seen per tenant, metric and billing period, so each crossing notifies once.</summary>
internal sealed class UsageThresholdTracker
{
    private readonly Dictionary<(TenantId, UsageLimitMetric), (DateTimeOffset Period, UsageThresholdLevel Level)> _seen = [];
    private readonly Lock _lock = new();

    /// <summary>Records the level; true when it is higher than the last one seen in the same period (a crossing).</summary>
    public bool Update(TenantId tenantId, UsageLimitMetric metric, DateTimeOffset periodStart, UsageThresholdLevel level)
    {
        lock (_lock)
        {
            var previous = _seen.TryGetValue((tenantId, metric), out var seen) && seen.Period == periodStart
                ? seen.Level
                : UsageThresholdLevel.Normal;
            _seen[(tenantId, metric)] = (periodStart, level);
            return level > previous;
        }
    }
}
