using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The tenant-change kit: the one path every SDK call that changes a tenant goes through (the provider, the plans, and
/// fleet work next). <see cref="LockedAsync{T}"/> is the preamble (tenant id check, log scope, the registered
/// <see cref="ITenantLock"/>); <see cref="RunAsync{T}"/> adds recording why a change failed on the tenant
/// (<see cref="TenantRecord.FailureReason"/>); <see cref="GetAsync"/>, <see cref="RequireProjectAsync"/> and
/// <see cref="RequireServingAsync"/> read the tenant and refuse what its state does not allow; <see cref="SendAsync{T}"/>
/// waits for the project's running operations, whoever started them (<see cref="RunningOperationsAsync"/>), then sends the
/// mutation and <see cref="WaitAsync"/> waits for the operations it started; catalog writes go through
/// <see cref="UpdateAsync"/> (re-read and retried on a concurrent update). The whole catalog is read with
/// <see cref="TenantCatalogPaging.ListAllAsync"/>.
/// </summary>
/// <remarks>
/// Waiting first is what keeps mutations out of 423: Neon refuses any mutation of a project with running operations,
/// and an operation started outside the SDK (the console, another tool, an abandoned call) can outlast the API
/// client's 423 retries. The wait is bounded by the caller's token and the configured operation timeout; a 423 that
/// still happens (an operation started between the look and the send) is left to the API client's retry.
/// </remarks>
internal sealed class TenantMutator
{
    private const int MaxCatalogRetries = 5;

    private readonly ILogger _logger;

    /// <summary>Creates the kit.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="api">The Neon API client.</param>
    /// <param name="tenantLock">The registered tenant lock (chosen by the catalog registration).</param>
    /// <param name="operationTimeout">How long one wait for operations may take; <see langword="null"/> for the API client's.</param>
    /// <param name="logger">The logger.</param>
    public TenantMutator(
        ITenantCatalog catalog,
        NeonApiClient api,
        ITenantLock tenantLock,
        TimeSpan? operationTimeout,
        ILogger<TenantMutator>? logger = null)
    {
        Catalog = catalog;
        Api = api;
        Lock = tenantLock;
        OperationTimeout = operationTimeout;
        _logger = logger ?? NullLogger<TenantMutator>.Instance;
    }

    public ITenantCatalog Catalog { get; }

    public NeonApiClient Api { get; }

    internal ITenantLock Lock { get; }

    /// <summary>How long one wait for operations may take: the provisioning option; <see langword="null"/> for the API client's.</summary>
    public TimeSpan? OperationTimeout { get; }

    /// <summary>
    /// The preamble of every change: validates <paramref name="tenantId"/>, opens the tenant's log scope and runs
    /// <paramref name="body"/> holding the tenant's lock. A body that fails records nothing here (provisioning records
    /// its own failures with their step); <see cref="RunAsync{T}"/> adds the recording.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c> (every lifecycle call's one guard).</exception>
    public async Task<T> LockedAsync<T>(TenantId tenantId, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        TenantRequestRules.Validate(tenantId);
        using var scope = TenantMutatorLog.TenantScope(_logger, tenantId);
        var held = await Lock.AcquireAsync(tenantId, cancellationToken).ConfigureAwait(false);
        await using var release = held.ConfigureAwait(false);
        return await body(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="body"/> through <see cref="LockedAsync{T}"/>. When it fails (other than by the caller's
    /// cancellation, which leaves the tenant as an abandoned call would, or by a refusal that changed nothing), the
    /// reason is recorded on the tenant and the exception rethrown.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    public Task<T> RunAsync<T>(TenantId tenantId, string operation, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        LockedAsync(tenantId, async token =>
        {
            try
            {
                return await body(token).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsRecorded(exception, token))
            {
                TenantMutatorLog.MutationFailed(_logger, exception, tenantId.Value, operation);
                await RecordFailureAsync(tenantId, TenantFailureReasons.Describe(operation, exception)).ConfigureAwait(false);
                throw;
            }
        }, cancellationToken);

    /// <summary>Waits for the project's running operations, then sends <paramref name="send"/> (do not wait for its operations here when something must be stored first).</summary>
    public async Task<T> SendAsync<T>(string projectId, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        await WaitForProjectAsync(projectId, cancellationToken).ConfigureAwait(false);
        return await send(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for the project's running operations, sends <paramref name="send"/> and waits for the operations it started.</summary>
    public async Task<T> MutateAsync<T>(string projectId, Func<CancellationToken, Task<T>> send, Func<T, IEnumerable<Operation>> operationsOf,
        CancellationToken cancellationToken)
    {
        var answer = await SendAsync(projectId, send, cancellationToken).ConfigureAwait(false);
        await WaitAsync(operationsOf(answer), cancellationToken).ConfigureAwait(false);
        return answer;
    }

    /// <summary>Waits for operations a mutation started: each must succeed (<see cref="NeonOperationFailedException"/> otherwise).</summary>
    /// <param name="operations">The operations.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="firstPoll">An early first poll for a wait someone is waiting on (see <see cref="NeonApiClient.WaitForOperationsAsync"/>).</param>
    public Task WaitAsync(IEnumerable<Operation> operations, CancellationToken cancellationToken, TimeSpan? firstPoll = null) =>
        Api.WaitForOperationsAsync(operations, OperationTimeout, firstPoll, cancellationToken);

    /// <summary>
    /// Waits until the project has no operation that has not ended, however each ends (someone else's failed operation
    /// is not this mutation's failure). A project Neon does not know (deleted) runs nothing.
    /// </summary>
    /// <exception cref="NeonOperationTimeoutException">Operations were still running after <see cref="OperationTimeout"/>; it carries them.</exception>
    public async Task WaitForProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Operation> running;
        try
        {
            running = await RunningOperationsAsync(projectId, cancellationToken).ConfigureAwait(false);
        }
        catch (NeonNotFoundException)
        {
            return;
        }

        if (running.Count > 0)
        {
            // Logged once, before the wait: what an operator sees while a tenant's change is held up.
            TenantMutatorLog.WaitingForOperations(_logger, projectId, running.Count);
            await Api.WaitForProjectOperationsAsync(projectId, OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The project's operations that have not ended (<see cref="OperationsClient.GetRunningProjectOperationsAsync"/>).</summary>
    /// <exception cref="NeonNotFoundException">Neon does not know the project.</exception>
    public Task<IReadOnlyList<Operation>> RunningOperationsAsync(string projectId, CancellationToken cancellationToken) =>
        Api.Operations.GetRunningProjectOperationsAsync(projectId, cancellationToken);

    /// <summary>Reads the tenant; <see cref="TenantNotFoundException"/> when it is not in the catalog.</summary>
    public async Task<TenantRecord> GetAsync(TenantId tenantId, CancellationToken cancellationToken) =>
        await Catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false) ?? throw new TenantNotFoundException(tenantId);

    /// <summary>Reads a tenant that has a project, in any state; <see cref="TenantStateException"/> when it has none.</summary>
    public async Task<TenantRecord> RequireProjectAsync(TenantId tenantId, string operation, CancellationToken cancellationToken)
    {
        var record = await GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return record.ProjectId is null ? throw new TenantStateException(tenantId, record.State, operation) : record;
    }

    /// <summary>Reads a tenant that has a project and serves (ready or suspended); <see cref="TenantStateException"/> otherwise.</summary>
    public async Task<TenantRecord> RequireServingAsync(TenantId tenantId, string operation, CancellationToken cancellationToken)
    {
        var record = await GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        if (record.State is not (TenantState.Ready or TenantState.Suspended) || record.ProjectId is null || record.BranchId is null)
        {
            throw new TenantStateException(tenantId, record.State, operation);
        }

        return record;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current record, re-reading and re-applying it when someone else
    /// updated the record in between. A write that does not leave the tenant failed clears the reason an earlier
    /// failed mutation recorded: the record describes the latest attempt.
    /// </summary>
    public async Task<TenantRecord> UpdateAsync(TenantId tenantId, Func<TenantRecord, TenantRecord> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
            var next = change(current);
            if (next.State != TenantState.Failed && ReferenceEquals(next.FailureReason, current.FailureReason))
            {
                next = next with { FailureReason = null };
            }

            try
            {
                return await Catalog.UpdateAsync(next, cancellationToken).ConfigureAwait(false);
            }
            catch (TenantConcurrencyException) when (attempt < MaxCatalogRetries)
            {
            }
        }
    }

    /// <summary>
    /// Records <paramref name="reason"/> on the tenant and keeps its state; with <paramref name="provisioning"/>, a
    /// tenant still provisioning becomes <see cref="TenantState.Failed"/> (a tenant another call moved on is left as it
    /// is). Not cancellable: the caller's token may be what failed. Never throws.
    /// </summary>
    public async Task RecordFailureAsync(TenantId tenantId, string reason, bool provisioning = false)
    {
        try
        {
            var current = await Catalog.GetAsync(tenantId, CancellationToken.None).ConfigureAwait(false);
            if (current is null || (provisioning && current.State is not (TenantState.Provisioning or TenantState.Failed)))
            {
                return;
            }

            await UpdateAsync(tenantId, r => r with
            {
                State = provisioning ? TenantState.Failed : r.State,
                FailureReason = reason,
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            TenantMutatorLog.FailureNotRecorded(_logger, exception, tenantId.Value);
        }
    }

    /// <summary>
    /// What is recorded: failures of the mutation itself. Not: the caller's cancellation (an abandoned call, like a
    /// crash, leaves the record as it is) and refusals that changed nothing. (Provisioning records its own failures,
    /// with their step: it runs through <see cref="LockedAsync{T}"/>.)
    /// </summary>
    private static bool IsRecorded(Exception exception, CancellationToken cancellationToken) =>
        exception is not (TenantNotFoundException or TenantStateException or TenantCheckpointNotFoundException or ArgumentException or OutOfMemoryException)
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
