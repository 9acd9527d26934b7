using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>The fake's compute endpoints (get, list, update, start, suspend, restart), operations and consumption history.</summary>
internal sealed partial class FakeNeon
{
    private const string EndpointPath = "projects/{project_id}/endpoints/{endpoint_id}";

    private void MapEndpoints(FakeRouter router)
    {
        router.Map("GET", "projects/{project_id}/endpoints", r =>
            FakeResponse.Json(200, new EndpointsResponse { Endpoints = LiveProject(r.Route("project_id")).Endpoints }, NeonApiJsonContext.Default.EndpointsResponse));
        router.Map("GET", EndpointPath, r =>
            FakeResponse.Json(200, new EndpointResponse { Endpoint = EndpointOf(LiveProject(r.Route("project_id")), r.Route("endpoint_id")) }, NeonApiJsonContext.Default.EndpointResponse));
        router.Map("PATCH", EndpointPath, UpdateEndpoint);
        router.Map("POST", EndpointPath + "/start", r => ChangeEndpointStateAsync(r, start: true, restart: false));
        router.Map("POST", EndpointPath + "/suspend", r => ChangeEndpointStateAsync(r, start: false, restart: false));
        router.Map("POST", EndpointPath + "/restart", r => ChangeEndpointStateAsync(r, start: true, restart: true));
    }

    private FakeResponse UpdateEndpoint(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var endpoint = EndpointOf(project, request.Route("endpoint_id"));
        var body = ReadBody(request, NeonApiJsonContext.Default.EndpointUpdateRequest, "endpoint");
        var spec = body.Endpoint ?? throw new FakeApiException(400, "endpoint is required");
        var min = spec.AutoscalingLimitMinCu ?? endpoint.AutoscalingLimitMinCu;
        var max = spec.AutoscalingLimitMaxCu ?? endpoint.AutoscalingLimitMaxCu;
        ValidateAutoscaling(min, max);
        if (spec.SuspendTimeoutSeconds is { } timeout)
        {
            ValidateSuspendTimeout(timeout);
        }

        if (spec.BranchId is { } branchId && branchId != endpoint.BranchId)
        {
            throw new FakeApiException(400, "moving an endpoint to another branch is not supported by the fake");
        }

        EnsureNotLocked(project);
        endpoint.AutoscalingLimitMinCu = min;
        endpoint.AutoscalingLimitMaxCu = max;
        endpoint.SuspendTimeoutSeconds = spec.SuspendTimeoutSeconds ?? endpoint.SuspendTimeoutSeconds;
        endpoint.PoolerEnabled = spec.PoolerEnabled ?? endpoint.PoolerEnabled;
        endpoint.PoolerMode = spec.PoolerMode ?? endpoint.PoolerMode;
        endpoint.Disabled = spec.Disabled ?? endpoint.Disabled;
        endpoint.Name = spec.Name ?? endpoint.Name;
        endpoint.Settings = spec.Settings ?? endpoint.Settings;
        endpoint.UpdatedAt = Now;
        var operations = new List<Operation> { StartOperation(project, OperationAction.ApplyConfig, endpoint.BranchId, endpoint.Id) };
        return FakeResponse.Json(200, new EndpointOperations { Endpoint = endpoint, Operations = operations }, NeonApiJsonContext.Default.EndpointOperations);
    }

    private async Task<FakeResponse> ChangeEndpointStateAsync(FakeRequest request, bool start, bool restart)
    {
        var project = LiveProject(request.Route("project_id"));
        var endpoint = EndpointOf(project, request.Route("endpoint_id"));
        if (start && project.QuotaSuspended)
        {
            throw new FakeApiException(423, "compute cannot be started: the project has exceeded its quota", "QUOTA_EXCEEDED");
        }

        if (start && endpoint.Disabled)
        {
            throw new FakeApiException(400, "endpoint is disabled");
        }

        EnsureNotLocked(project);
        var now = Now;
        var operations = new List<Operation>();
        if (!start || restart)
        {
            operations.Add(StartOperation(project, OperationAction.SuspendCompute, endpoint.BranchId, endpoint.Id));
            endpoint.CurrentState = EndpointState.Idle;
            endpoint.SuspendedAt = now;
            _proxy?.Suspend(endpoint.Id);
            if (_postgres is not null)
            {
                // A suspended compute drops its connections (57P01); a new connection wakes it, so connecting stays allowed.
                var branch = BranchOf(project, endpoint.BranchId);
                await _postgres.TerminateConnectionsAsync(branch.Databases.Select(d => d.RealName).OfType<string>(), CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (start)
        {
            operations.Add(StartOperation(project, OperationAction.StartCompute, endpoint.BranchId, endpoint.Id));
            endpoint.CurrentState = EndpointState.Active;
            endpoint.StartedAt = now;
            endpoint.LastActive = now;
            _proxy?.MarkRunning(endpoint.Id);
        }

        endpoint.UpdatedAt = now;
        return FakeResponse.Json(200, new EndpointOperations { Endpoint = endpoint, Operations = operations }, NeonApiJsonContext.Default.EndpointOperations);
    }

    private void MapOperations(FakeRouter router)
    {
        router.Map("GET", "projects/{project_id}/operations/{operation_id}", r =>
        {
            var project = LiveProject(r.Route("project_id"));
            var operation = project.Operations.FirstOrDefault(o => o.Operation.Id == r.Route("operation_id"))
                ?? throw new FakeApiException(404, $"operation {r.Route("operation_id")} not found");
            return FakeResponse.Json(200, new OperationResponse { Operation = operation.Operation }, NeonApiJsonContext.Default.OperationResponse);
        });
        router.Map("GET", "projects/{project_id}/operations", r =>
        {
            var project = LiveProject(r.Route("project_id"));
            var limit = (int)(ParseLong(r, "limit", 1, 1000) ?? 10);
            var newestFirst = Enumerable.Range(0, project.Operations.Count).Reverse().ToList();
            var start = 0;
            var cursor = r.QueryValue("cursor");
            if (!string.IsNullOrEmpty(cursor))
            {
                var index = project.Operations.FindIndex(o => o.Operation.Id == cursor);
                start = index < 0 ? throw new FakeApiException(400, "invalid cursor") : newestFirst.IndexOf(index) + 1;
            }

            var page = newestFirst.Skip(start).Take(limit).Select(i => project.Operations[i].Operation).ToList();
            return FakeResponse.Json(200, new ListProjectOperationsResponse
            {
                Operations = page,
                Pagination = page.Count == 0 ? null : new Pagination { Cursor = page[^1].Id },
            }, NeonApiJsonContext.Default.ListProjectOperationsResponse);
        });
    }

    private void MapConsumption(FakeRouter router) => router.Map("GET", "consumption_history/v2/projects", ConsumptionPerProject);

    private static readonly DateTimeOffset ConsumptionEpoch = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] ConsumptionMetrics =
    [
        "compute_unit_seconds", "root_branch_bytes_month", "child_branch_bytes_month", "instant_restore_bytes_month",
        "public_network_transfer_bytes", "private_network_transfer_bytes", "extra_branches_month", "snapshot_storage_bytes_month",
    ];

    // Repeated parameters or comma-separated lists, as the spec allows for metrics and project_ids.
    private static string[] QueryList(FakeRequest request, string name) =>
        [.. request.QueryValues(name).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private FakeResponse ConsumptionPerProject(FakeRequest request)
    {
        var orgId = request.QueryValue("org_id") ?? throw new FakeApiException(400, "org_id is required");
        CheckOrg(orgId);
        var metrics = QueryList(request, "metrics");
        if (metrics.Length == 0)
        {
            throw new FakeApiException(400, "metrics is required");
        }

        var unknown = metrics.FirstOrDefault(m => !ConsumptionMetrics.Contains(m, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw new FakeApiException(400, $"unsupported metric {unknown}");
        }

        var from = ParseTime(request, "from");
        var to = ParseTime(request, "to");
        var granularity = request.QueryValue("granularity") ?? throw new FakeApiException(400, "granularity is required");
        var limit = (int)(ParseLong(request, "limit", 1, 100) ?? 10);
        var projectIds = QueryList(request, "project_ids");
        if (projectIds.Length > 100)
        {
            throw new FakeApiException(400, "project_ids accepts at most 100 ids");
        }

        if (from >= to)
        {
            throw new FakeApiException(400, "from must be before to");
        }

        var now = Now;
        var (step, earliest) = granularity switch
        {
            "hourly" => (TimeSpan.FromHours(1), now.AddHours(-168)),
            "daily" => (TimeSpan.FromDays(1), now.AddDays(-60)),
            "monthly" => (TimeSpan.Zero, now.AddYears(-1)),
            _ => throw new FakeApiException(400, "granularity must be hourly, daily or monthly"),
        };

        // Neon rounds from down to the granularity, then checks the look-back limit and the 2024-03-01 floor.
        var start = Floor(from, granularity);
        if (start < ConsumptionEpoch || start < earliest)
        {
            throw new FakeApiException(406, $"the requested range is outside the limits of {granularity} granularity");
        }

        // Pages follow project creation order, newest first; the cursor is the last project id of the previous page.
        IEnumerable<FakeProject> projects = Enumerable.Reverse(_projects).Where(p => p.DeletedAt is null);
        if (projectIds.Length > 0)
        {
            projects = projects.Where(p => projectIds.Contains(p.Project.Id, StringComparer.Ordinal));
        }

        var cursor = request.QueryValue("cursor");
        if (!string.IsNullOrEmpty(cursor))
        {
            var ordered = projects.ToList();
            var index = ordered.FindIndex(p => p.Project.Id == cursor);
            projects = index < 0 ? throw new FakeApiException(400, "invalid cursor") : ordered.Skip(index + 1);
        }

        var page = projects.Take(limit).ToList();
        var result = page.Select(p =>
        {
            var frames = new List<ConsumptionHistoryPerTimeframeV2>();
            for (var t = start; t < to; t = Next(t, step))
            {
                var end = Next(t, step);
                var frameStart = t;
                frames.Add(new ConsumptionHistoryPerTimeframeV2
                {
                    TimeframeStart = t,
                    TimeframeEnd = end,
                    Metrics = [.. metrics.Select(m => new ConsumptionMetricValue
                    {
                        MetricName = m,
                        Value = p.Consumption.Where(c => c.Metric == m && c.At >= frameStart && c.At < end).Sum(c => c.Value),
                    })],
                });
            }

            return new ConsumptionHistoryPerProjectV2
            {
                ProjectId = p.Project.Id,
                Periods =
                [
                    new ConsumptionHistoryPerPeriodV2
                    {
                        PeriodId = "fake-period-" + p.Project.ConsumptionPeriodStart.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                        PeriodPlan = "scale",
                        PeriodStart = p.Project.ConsumptionPeriodStart,
                        Consumption = frames,
                    },
                ],
            };
        }).ToList();
        return FakeResponse.Json(200, new GetConsumptionHistoryPerProjectV2Response
        {
            Projects = result,
            Pagination = page.Count == 0 ? null : new Pagination { Cursor = page[^1].Project.Id },
        }, NeonApiJsonContext.Default.GetConsumptionHistoryPerProjectV2Response);

        static DateTimeOffset Next(DateTimeOffset t, TimeSpan step) => step == TimeSpan.Zero ? t.AddMonths(1) : t + step;
    }

    private static DateTimeOffset Floor(DateTimeOffset t, string granularity)
    {
        t = t.ToUniversalTime();
        return granularity switch
        {
            "hourly" => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero),
            "daily" => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero),
        };
    }

    private static DateTimeOffset ParseTime(FakeRequest request, string name)
    {
        var text = request.QueryValue(name) ?? throw new FakeApiException(400, $"{name} is required");
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new FakeApiException(400, $"{name} must be an RFC 3339 date-time");
    }
}
