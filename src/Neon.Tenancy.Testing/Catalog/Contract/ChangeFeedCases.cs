// The cases are test bodies: like any test they continue on the test framework's context.
#pragma warning disable CA2007
using static Neon.Tenancy.Testing.Contract.ContractRun;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>Contract cases for the change feed (SubscribeToChanges).</summary>
internal static class ChangeFeedCases
{
    public static readonly TenantCatalogContractCase[] All =
    [
        new(nameof(ChangeFeed_ChangesThroughOneInstance_ReachSubscriberOfAnother), "Reserve, plan, secret and state changes and removal through one instance reach a subscriber of another, each flagged for what changed.", ChangeFeed_ChangesThroughOneInstance_ReachSubscriberOfAnother),
        new(nameof(ChangeFeed_ApplicationSecretChanged_ReportsConnectionChange), "A changed application role secret is a connection change; a changed failure reason is not.", ChangeFeed_ApplicationSecretChanged_ReportsConnectionChange),
        new(nameof(ChangeFeed_OneHandlerThrowsOrUnsubscribes_OthersStillReceive), "A handler that throws or unsubscribed does not keep changes from the others.", ChangeFeed_OneHandlerThrowsOrUnsubscribes_OthersStillReceive),
    ];

    private static async Task ChangeFeed_ChangesThroughOneInstance_ReachSubscriberOfAnother(ContractRun run)
    {
        var (writer, reader) = (await run.CreateCatalogAsync(), await run.CreateCatalogAsync());
        using var changes = await ListenAsync(run, reader);
        var id = TenantId.Parse("acme");
        var ct = run.CancellationToken;

        var reserved = (await writer.ReserveAsync(Reservation("acme", "free"), ct)).Record;
        var created = await changes.WaitForAsync(c => c.TenantId == id);
        var planChanged = await writer.UpdateAsync(reserved with { Plan = "pro" }, ct);
        var plan = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 2);
        var secretChanged = await writer.UpdateAsync(planChanged with { PooledConnectionSecret = new byte[] { 1 } }, ct);
        var secret = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 3);
        var stateChanged = await writer.UpdateAsync(secretChanged with { State = TenantState.Suspended }, ct);
        var state = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 4);
        await writer.RemoveAsync(id, ct);
        var removed = await changes.WaitForAsync(c => c.TenantId == id && c.Kind == TenantChangeKind.Removed);

        Check.Equal(TenantChangeKind.Reserved, created.Kind, "Kind of the reservation's change");
        Check.Equal((1L, (TenantState?)TenantState.Provisioning, (string?)"free"), (created.Version, created.State, created.Plan), "(Version, State, Plan) of the reservation's change");
        Check.Equal((TenantChangeKind.Updated, true, false, false), (plan.Kind, plan.PlanChanged, plan.StateChanged, plan.ConnectionChanged), "(Kind, PlanChanged, StateChanged, ConnectionChanged) of the plan change");
        Check.Equal("pro", plan.Plan, "Plan of the plan change");
        Check.Equal((true, false, false), (secret.ConnectionChanged, secret.PlanChanged, secret.StateChanged), "(ConnectionChanged, PlanChanged, StateChanged) of the secret change");
        Check.Equal((true, false, false), (state.StateChanged, state.PlanChanged, state.ConnectionChanged), "(StateChanged, PlanChanged, ConnectionChanged) of the state change");
        Check.Equal<TenantState?>(TenantState.Suspended, state.State, "State of the state change");
        Check.Equal(stateChanged.Version, removed.Version, "Version of the removal's change (the last stored version)");
    }

    private static async Task ChangeFeed_ApplicationSecretChanged_ReportsConnectionChange(ContractRun run)
    {
        var (writer, reader) = (await run.CreateCatalogAsync(), await run.CreateCatalogAsync());
        using var changes = await ListenAsync(run, reader);
        var id = TenantId.Parse("acme");
        var reserved = (await writer.ReserveAsync(Reservation("acme"), run.CancellationToken)).Record;
        await changes.WaitForAsync(c => c.TenantId == id);

        var reason = await writer.UpdateAsync(reserved with { FailureReason = "CreateProject: HttpRequestException" }, run.CancellationToken);
        var reasonChange = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 2);
        await writer.UpdateAsync(reason with { ApplicationRoleName = "app", ApplicationPooledConnectionSecret = new byte[] { 7 } }, run.CancellationToken);
        var secretChange = await changes.WaitForAsync(c => c.TenantId == id && c.Version == 3);

        Check.False(reasonChange.ConnectionChanged, "ConnectionChanged of a failure reason change");
        Check.True(secretChange.ConnectionChanged, "ConnectionChanged of an application secret change");
    }

    private static async Task ChangeFeed_OneHandlerThrowsOrUnsubscribes_OthersStillReceive(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        using var throwing = catalog.SubscribeToChanges(_ => throw new InvalidOperationException("subscriber bug"));
        var unsubscribedCount = 0;
        var unsubscribed = catalog.SubscribeToChanges(_ => Interlocked.Increment(ref unsubscribedCount));
        unsubscribed.Dispose();
        using var changes = await ListenAsync(run, catalog);

        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);
        await catalog.ReserveAsync(Reservation("beta"), run.CancellationToken);

        await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("acme"));
        await changes.WaitForAsync(c => c.TenantId == TenantId.Parse("beta"));
        Check.Equal(0, Volatile.Read(ref unsubscribedCount), "changes delivered to a handler after it unsubscribed");
    }

    /// <summary>Subscribes a probe to <paramref name="catalog"/> and waits until its change feed is ready.</summary>
    private static async Task<TenantChangeProbe> ListenAsync(ContractRun run, ITenantCatalog catalog)
    {
        var probe = new TenantChangeProbe(catalog);
        try
        {
            await run.WhenChangeFeedReadyAsync(catalog);
            return probe;
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }
}
