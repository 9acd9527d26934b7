using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Tests.Fleet;

/// <summary>What the fleet engine's tests share: a catalog of tenants in given states, an engine over a ledger, and a work that records what it did.</summary>
internal static class FleetTestData
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Adds <paramref name="count"/> tenants named <c>{prefix}-000</c>... in <paramref name="state"/> at <paramref name="schemaVersion"/>.</summary>
    public static async Task<List<TenantId>> AddTenantsAsync(ITenantCatalog catalog, int count, string prefix = "t", TenantState state = TenantState.Ready,
        int schemaVersion = 0, string plan = "free")
    {
        var ids = new List<TenantId>();
        for (var i = 0; i < count; i++)
        {
            var id = TenantId.Parse($"{prefix}-{i:000}");
            var reserved = await catalog.ReserveAsync(new TenantReservation { TenantId = id, Plan = plan, ProjectName = "p-" + id.Value });
            await catalog.UpdateAsync(reserved.Record with { State = state, SchemaVersion = schemaVersion, ProjectId = "proj-" + id.Value });
            ids.Add(id);
        }

        return ids;
    }

    public static TenantFleet Engine(ITenantCatalog catalog, IFleetLedger ledger, int connectionBudget = 0, TimeProvider? time = null) =>
        new(catalog, ledger, Options.Create(new TenantConnectionOptions { ConnectionBudget = connectionBudget }), time ?? TimeProvider.System)
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
        };

    public static FleetRunOptions Run(string runId = "run-1") => new() { RunId = runId, RetryBackoff = TimeSpan.Zero, LeaseDuration = TimeSpan.FromSeconds(30) };
}

/// <summary>A fleet work whose decision and body the test gives, recording every attempt in order.</summary>
internal sealed class RecordingWork(
    Func<FleetTenantContext, CancellationToken, Task<FleetTenantOutcome>>? body = null,
    Func<TenantRecord, FleetTenantDecision>? plan = null,
    string name = "test work") : ITenantFleetWork
{
    private int _sequence;
    private int _running;
    private int _maxRunning;

    public string Name => name;

    public ConcurrentDictionary<TenantId, int> Attempts { get; } = new();

    /// <summary>(tenant, wave, start sequence, end sequence) of each attempt.</summary>
    public ConcurrentQueue<(TenantId Tenant, int Wave, int Started, int Ended)> Log { get; } = new();

    public int PlanCalls;

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public FleetTenantDecision Plan(TenantRecord tenant)
    {
        Interlocked.Increment(ref PlanCalls);
        return plan?.Invoke(tenant) ?? FleetTenantDecision.Run("do it");
    }

    public async Task<FleetTenantOutcome> ExecuteAsync(FleetTenantContext context, CancellationToken cancellationToken)
    {
        var started = Interlocked.Increment(ref _sequence);
        Attempts.AddOrUpdate(context.TenantId, 1, (_, n) => n + 1);
        var running = Interlocked.Increment(ref _running);
        for (var max = Volatile.Read(ref _maxRunning); running > max && Interlocked.CompareExchange(ref _maxRunning, running, max) != max; max = Volatile.Read(ref _maxRunning))
        {
        }

        try
        {
            return body is null ? await Task.Delay(5, cancellationToken).ContinueWith(_ => FleetTenantOutcome.Succeeded, TaskScheduler.Default) : await body(context, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            Log.Enqueue((context.TenantId, context.Wave, started, Interlocked.Increment(ref _sequence)));
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that keeps every snapshot, synchronously (not <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class ProgressLog : IProgress<FleetProgress>
{
    public ConcurrentQueue<FleetProgress> Snapshots { get; } = new();

    public void Report(FleetProgress value) => Snapshots.Enqueue(value);
}
