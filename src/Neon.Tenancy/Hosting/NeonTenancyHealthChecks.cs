using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>Names of the health checks <c>IHealthChecksBuilder.AddNeonTenancy()</c> registers, and their shared tag.</summary>
internal static class NeonTenancyHealthCheckNames
{
    public const string Tag = "neon-tenancy";
    public const string Catalog = "neon-tenancy-catalog";
    public const string Api = "neon-tenancy-api";
    public const string Connections = "neon-tenancy-connections";
}

/// <summary>The catalog answers a one-row list query (one query, whatever the number of tenants).</summary>
internal sealed class TenantCatalogHealthCheck(ITenantCatalog catalog) : IHealthCheck
{
    private static readonly TenantQuery Probe = new() { PageSize = 1 };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await catalog.ListAsync(Probe, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The tenant catalog answered.");
        }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            // The description names the failure's type only: driver messages may carry host names or user names.
            return new HealthCheckResult(context.Registration.FailureStatus, $"The tenant catalog did not answer ({HealthCheckText.Describe(ex)}).");
        }
    }
}

/// <summary>
/// One cheap Neon API call (list one project), remembered for <see cref="NeonApiProbe.Interval"/> so that frequent
/// probes (several instances, Kubernetes liveness and readiness) do not spend the account's rate budget. Concurrent
/// checks share one call.
/// </summary>
internal sealed class NeonApiProbe(NeonApiClient client, IOptions<NeonApiOptions> apiOptions, TimeProvider timeProvider, TimeSpan interval, TimeSpan timeout)
{
    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _inFlight;
    private HealthCheckResult? _last;
    private long _lastAt;

    public TimeSpan Interval { get; } = interval;

    /// <summary>Calls made to the Neon API since start (tests).</summary>
    internal int Calls { get; private set; }

    public Task<HealthCheckResult> CheckAsync(HealthStatus failureStatus)
    {
        lock (_gate)
        {
            if (_last is { } last && timeProvider.GetElapsedTime(_lastAt) < Interval)
            {
                return Task.FromResult(last);
            }

            // Not tied to one caller's token: other callers may be waiting on the same call. Started on the thread
            // pool, so that a call completing synchronously cannot clear _inFlight before it is assigned here.
            return _inFlight ??= Task.Run(() => CallAsync(failureStatus));
        }
    }

    private async Task<HealthCheckResult> CallAsync(HealthStatus failureStatus)
    {
        HealthCheckResult result;
        Calls++;
        using (var cts = new CancellationTokenSource(timeout, timeProvider))
        {
            try
            {
                await client.Projects.ListProjectsAsync(limit: 1, orgId: apiOptions.Value.OrgId, cancellationToken: cts.Token).ConfigureAwait(false);
                result = HealthCheckResult.Healthy("The Neon API answered.");
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                result = new HealthCheckResult(failureStatus, $"The Neon API did not answer within {timeout.TotalSeconds:0.#} s.");
            }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result = new HealthCheckResult(failureStatus, $"The Neon API call failed ({HealthCheckText.Describe(ex)}).");
            }
        }

        lock (_gate)
        {
            _last = result;
            _lastAt = timeProvider.GetTimestamp();
            _inFlight = null;
        }

        return result;
    }
}

/// <summary>Reports the cached API probe; registered with failure status Degraded by default (the data path never calls Neon).</summary>
internal sealed class NeonApiHealthCheck(NeonApiProbe probe) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        probe.CheckAsync(context.Registration.FailureStatus).WaitAsync(cancellationToken);
}

/// <summary>
/// The connection factory's state from its counters (<see cref="ITenantConnectionStats"/>; no connection is opened):
/// cache fill and budget in use. Degraded when the budget is spent; always healthy without a budget.
/// </summary>
internal sealed class TenantConnectionsHealthCheck(ITenantConnectionStats stats) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (cached, capacity, alive) = (stats.CachedDataSources, stats.CacheCapacity, stats.AliveDataSources);
        var data = new Dictionary<string, object>
        {
            ["cached_data_sources"] = cached,
            ["cache_capacity"] = capacity,
            ["alive_data_sources"] = alive,
        };
        var summary = $"{cached}/{capacity} data sources cached ({alive} alive), ";
        if (stats.ConnectionBudget is not { } budget)
        {
            return Task.FromResult(HealthCheckResult.Healthy(summary + "no connection budget.", data));
        }

        var inUse = stats.ConnectionBudgetInUse;
        data["connection_budget"] = budget;
        data["connection_budget_in_use"] = inUse;
        summary += $"{inUse}/{budget} of the connection budget in use.";
        return Task.FromResult(inUse >= budget
            ? new HealthCheckResult(context.Registration.FailureStatus, "The connection budget is spent: " + summary, data: data)
            : HealthCheckResult.Healthy(summary, data));
    }
}

internal static class HealthCheckText
{
    /// <summary>A failure's type and, for Neon API errors, status and Neon error code: never a message that might carry a secret.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        NeonApiException api => $"{api.GetType().Name}, HTTP {(api.StatusCode is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}{(string.IsNullOrEmpty(api.ErrorCode) ? "" : ", code " + api.ErrorCode)}{(api.RequestId is null ? "" : ", request id " + api.RequestId)}",
        Npgsql.PostgresException pg => $"{pg.GetType().Name}, SQLSTATE {pg.SqlState}",
        _ => exception.GetType().Name,
    };
}
