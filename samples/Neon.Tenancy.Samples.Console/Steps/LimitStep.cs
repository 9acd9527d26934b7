using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Npgsql;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// Plans are enforced by Neon: a tenant that reaches a period quota has its computes suspended. On the fake the
/// usage is simulated (NeonFakeServer.SetUsageAsync); against Neon the step only explains, rather than burn 50 hours.
/// </summary>
internal sealed class LimitStep : ITourStep
{
    public string Title => "Limits: a free tenant reaches its quota and Neon suspends it";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenant = tour.Tenant(0);
        var record = await tour.Provider.GetAsync(tenant.Id, cancellationToken)
            ?? throw new InvalidOperationException($"Tenant {tenant.Id} is not in the catalog.");
        var project = (await tour.Api.Projects.GetProjectAsync(record.ProjectId!, cancellationToken)).Project;
        var quota = project.Settings?.Quota?.ActiveTimeSeconds;
        if (tour.Fake is not { } fake || quota is not > 0)
        {
            tour.Out.Note($"{tenant.Id}'s plan ({record.Plan}) allows {PlanChangeStep.Quota(quota, UsageLimitMetric.ActiveTime)} of active time per billing period. A tenant");
            tour.Out.Note("that reaches a quota has its computes suspended by Neon until the period ends or the quota is raised");
            tour.Out.Note("(by a plan change, for instance). The fake simulates that; against Neon this step only explains it.");
            return;
        }

        await fake.SetUsageAsync(record.ProjectId!, new NeonFakeUsage { ActiveTimeSeconds = quota.Value }, cancellationToken);
        tour.Out.Line($"{tenant.Id} ({record.Plan}) has now been active {PlanChangeStep.Quota(quota, UsageLimitMetric.ActiveTime)} this period: all of its quota (usage simulated on the fake).");

        var endpoint = (await tour.Api.Endpoints.ListProjectEndpointsAsync(record.ProjectId!, cancellationToken)).Endpoints[0];
        tour.Out.Ok($"Neon suspended its compute {endpoint.Id}: state {endpoint.CurrentState}.");
        try
        {
            await tour.Api.Endpoints.StartProjectEndpointAsync(record.ProjectId!, endpoint.Id, cancellationToken);
            throw new InvalidOperationException($"The compute of {tenant.Id} started although its quota is spent.");
        }
        catch (NeonLockedException ex) when (ex.IsQuotaExceeded)
        {
            tour.Out.Ok($"Starting it is refused at once, not retried: {ex.GetType().Name} (423, {ex.ErrorCode}, IsQuotaExceeded).");
        }

        if (tour.CanConnect)
        {
            // The data source straight from the factory: using it does not retry, so the refusal shows as it is.
            // (OpenConnectionAsync would keep retrying until Connections:OpenDeadline, as it does for a waking compute.)
            var dataSource = await tour.Connections.GetDataSourceAsync(tenant.Id, TenantConnectionKind.Pooled, cancellationToken);
            var seen = new List<PostgresException>();
            for (var attempt = 0; attempt < 5 && !seen.Exists(e => e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState); attempt++)
            {
                try
                {
                    await using var command = dataSource.CreateCommand("SELECT 1");
                    await command.ExecuteScalarAsync(cancellationToken);
                    throw new InvalidOperationException($"Suspended tenant {tenant.Id} answered a query.");
                }
                catch (PostgresException ex)
                {
                    seen.Add(ex);
                }
            }

            foreach (var ex in seen.DistinctBy(e => e.SqlState))
            {
                tour.Out.Ok(ex.SqlState == PostgresErrorCodes.AdminShutdown
                    ? $"Connections open in the pool were terminated: {ex.SqlState} {ex.MessageText}."
                    : $"New connections are refused: {ex.SqlState} {ex.MessageText}.");
            }

            if (!seen.Exists(e => e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState))
            {
                throw new InvalidOperationException($"Suspended tenant {tenant.Id} did not refuse new connections.");
            }
        }

        // A new billing period (or a higher quota) lifts the suspension.
        await fake.SetUsageAsync(record.ProjectId!, new NeonFakeUsage { ActiveTimeSeconds = 0 }, cancellationToken);
        endpoint = (await tour.Api.Endpoints.ListProjectEndpointsAsync(record.ProjectId!, cancellationToken)).Endpoints[0];
        tour.Out.Ok($"A new billing period starts (counters back to 0): compute {endpoint.CurrentState} again.");
        if (tour.CanConnect)
        {
            var view = await tour.UnitOfWorkAsync(() => tour.ReadNotesAsync(tenant.Id, cancellationToken));
            tour.Out.Ok($"{tenant.Id} serves queries again: \"{string.Join(", ", view.Notes)}\".");
        }
    }
}
