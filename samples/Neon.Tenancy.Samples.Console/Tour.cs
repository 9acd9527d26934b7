using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Npgsql;

namespace Neon.Tenancy.Samples.Console;

/// <summary>A tenant of the tour and the plan it starts on.</summary>
internal sealed record SampleTenant(TenantId Id, string Plan);

/// <summary>One step of the tour: a heading and the work under it. Throwing fails the tour (exit code 1).</summary>
internal interface ITourStep
{
    string Title { get; }

    Task RunAsync(Tour tour, CancellationToken cancellationToken);
}

/// <summary>What every step shares: the host's services, the output, the tenants, and whether data can be reached.</summary>
internal sealed class Tour
{
    public Tour(IServiceProvider services, TourHosts hosts, TourOutput output, NeonFakeServer? fake, bool canConnect, ThresholdPrinter thresholds, IReadOnlyList<SampleTenant> tenants)
    {
        Services = services;
        Hosts = hosts;
        Out = output;
        Fake = fake;
        CanConnect = canConnect;
        Thresholds = thresholds;
        Tenants = tenants;
    }

    /// <summary>The main host's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Builds more hosts like the main one (the warm-pool step's).</summary>
    public TourHosts Hosts { get; }

    public TourOutput Out { get; }

    /// <summary>The in-process fake of Neon, or null when the tour runs against Neon itself.</summary>
    public NeonFakeServer? Fake { get; }

    /// <summary>False when the fake has no PostgreSQL behind it: its connection strings point nowhere.</summary>
    public bool CanConnect { get; }

    /// <summary>The tour's <see cref="IUsageThresholdObserver"/>: what it has been told so far.</summary>
    public ThresholdPrinter Thresholds { get; }

    public IReadOnlyList<SampleTenant> Tenants { get; }

    public ITenantDatabaseProvider Provider => Services.GetRequiredService<ITenantDatabaseProvider>();

    public ITenantConnectionFactory Connections => Services.GetRequiredService<ITenantConnectionFactory>();

    public IPlanLimits Plans => Services.GetRequiredService<IPlanLimits>();

    public IUsageClient Usage => Services.GetRequiredService<IUsageClient>();

    public NeonCostCalculator Costs => Services.GetRequiredService<NeonCostCalculator>();

    public NeonApiClient Api => Services.GetRequiredService<NeonApiClient>();

    public SampleTenant Tenant(int index) => Tenants[index];

    /// <summary>Prints why a data step is skipped; true when it is.</summary>
    public bool SkipWithoutDatabase()
    {
        if (CanConnect)
        {
            return false;
        }

        Out.Warn("no PostgreSQL behind the fake, so tenant databases cannot be reached: skipped.");
        Out.Note("Run `bash eng/run-sample.sh` (it starts a throwaway PostgreSQL) to see this step.");
        return true;
    }

    /// <summary>Creates the tour's table in the tenant's database (idempotent) and adds a note.</summary>
    public async Task WriteNoteAsync(TenantId tenant, string body, CancellationToken cancellationToken)
    {
        await using var connection = await Connections.OpenConnectionAsync(tenant, TenantConnectionKind.Pooled, cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("CREATE TABLE IF NOT EXISTS notes (id bigint GENERATED ALWAYS AS IDENTITY, body text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())"),
                new("INSERT INTO notes (body) VALUES ($1)") { Parameters = { new() { Value = body } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Reads the tenant's notes in order, with where they were read from.</summary>
    public async Task<TenantView> ReadNotesAsync(TenantId tenant, CancellationToken cancellationToken)
    {
        await using var connection = await Connections.OpenConnectionAsync(tenant, TenantConnectionKind.Pooled, cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT current_database(), current_user, coalesce(array_agg(body ORDER BY id), '{}') FROM notes", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TenantView(connection.Host ?? "?", reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2));
    }

    /// <summary>
    /// Runs a unit of work, once more if its pooled connection had been killed while idle (57P01: a compute restart,
    /// restore or password reset ends the backends; the factory drops the tenant's other idle connections then).
    /// </summary>
    public async Task<T> UnitOfWorkAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.AdminShutdown)
        {
            Out.Note("(a pooled connection was killed while idle, 57P01; the unit of work is retried once)");
            return await work();
        }
    }

    /// <summary>Times an action.</summary>
    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }
}

/// <summary>What one tenant's connection sees: never a password or connection string, only where it landed.</summary>
internal sealed record TenantView(string Host, string Database, string Role, IReadOnlyList<string> Notes);

/// <summary>Runs the steps in order with a numbered heading and a timing each; stops at the first failure.</summary>
internal static class TourRunner
{
    public static async Task<bool> RunAsync(Tour tour, IReadOnlyList<ITourStep> steps, CancellationToken cancellationToken)
    {
        var timings = new List<IReadOnlyList<string>>();
        var ok = true;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            tour.Out.Heading($"[{i + 1}/{steps.Count}] {step.Title}");
            var started = Stopwatch.GetTimestamp();
            try
            {
                await step.RunAsync(tour, cancellationToken);
                var elapsed = Stopwatch.GetElapsedTime(started);
                tour.Out.Note($"step done in {TourOutput.Ms(elapsed)}");
                timings.Add([step.Title, TourOutput.Ms(elapsed), "ok"]);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is not OperationCanceledException)
            {
                // Neon.Tenancy's exception messages never carry a key, password or connection string.
                tour.Out.Fail($"{ex.GetType().Name}: {ex.Message}");
                if (ex.InnerException is { } inner)
                {
                    tour.Out.Note($"caused by {inner.GetType().Name}: {inner.Message}");
                }

                timings.Add([step.Title, TourOutput.Ms(Stopwatch.GetElapsedTime(started)), "FAILED"]);
                ok = false;
                break;
            }
        }

        tour.Out.Heading("Summary");
        tour.Out.Table(["step", ">time", "result"], timings);
        return ok;
    }
}
