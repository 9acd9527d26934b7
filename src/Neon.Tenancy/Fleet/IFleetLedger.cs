namespace Neon.Tenancy;

/// <summary>
/// The fleet engine's durable ledger: one row per run and one per tenant of a run, in the catalog's database (the
/// coordinator of every instance working a run: no other queue). Chosen by the catalog registration, like
/// <see cref="ITenantLock"/>: <c>UsePostgresCatalog()</c> registers <see cref="PostgresFleetLedger"/> (tables in the
/// catalog schema), any other catalog gets <see cref="InMemoryFleetLedger"/>. Times come from the ledger's
/// <see cref="TimeProvider"/>, at microsecond precision.
/// </summary>
/// <remarks>
/// Tenants are leased, not locked: <see cref="ClaimAsync"/> marks entries running for an owner until a lease time, the
/// owner renews (<see cref="RenewAsync"/>) and finishes them (<see cref="FinishAsync"/>, refused once the lease was taken
/// over); an entry whose lease passed is claimable again, its lost attempt counted.
/// </remarks>
internal interface IFleetLedger
{
    /// <summary>Records the run and its entries if no run of this id is recorded; otherwise returns the stored run, unchanged (nothing of <paramref name="entries"/> is written).</summary>
    /// <returns>The stored run and whether this call created it.</returns>
    /// <exception cref="ArgumentException">The run's state is not running, completed or halted, or <paramref name="entries"/> names a tenant twice.</exception>
    Task<(FleetLedgerRun Run, bool Created)> CreateRunAsync(FleetLedgerRun run, IReadOnlyList<FleetLedgerEntry> entries, CancellationToken cancellationToken);

    /// <summary>The run, or null when none of this id is recorded.</summary>
    Task<FleetLedgerRun?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The run's entries, ordered by wave then tenant id (ordinal); empty when the run is not recorded.</summary>
    Task<IReadOnlyList<FleetLedgerEntry>> GetEntriesAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The run's counts per state, in one query.</summary>
    Task<FleetLedgerCounts> CountAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> entries of the run's current wave (the lowest wave with a pending or running
    /// entry), in tenant id order: pending ones whose <see cref="FleetLedgerEntry.NotBefore"/> is null or passed, and
    /// running ones whose lease passed. Each becomes running for <paramref name="owner"/> until now + <paramref name="lease"/>,
    /// its attempts incremented and its start set if unset. Safe across instances: an entry is never claimed by two
    /// owners whose leases overlap. Claims nothing when the run is not <see cref="FleetRunState.Running"/>.
    /// </summary>
    /// <returns>The claimed entries as stored.</returns>
    Task<IReadOnlyList<FleetLedgerEntry>> ClaimAsync(string runId, string owner, int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends to now + <paramref name="lease"/> the leases of the entries <paramref name="owner"/> holds in the run; returns how many.</summary>
    Task<int> RenewAsync(string runId, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Ends an attempt, if <paramref name="owner"/> still holds the entry (running, its owner): <paramref name="state"/>
    /// is <see cref="FleetTenantState.Pending"/> for a retry not before <paramref name="notBefore"/>, or an outcome
    /// (succeeded, parked, deferred: its end time set). The error is stored as given (null clears it); owner and lease are cleared.
    /// </summary>
    /// <returns>False when the owner no longer held the entry (its lease was taken over): nothing was written.</returns>
    Task<bool> FinishAsync(string runId, TenantId tenantId, string owner, FleetTenantState state, string? error, DateTimeOffset? notBefore,
        CancellationToken cancellationToken);

    /// <summary>Moves a <see cref="FleetRunState.Running"/> run to <paramref name="state"/> (completed or halted, with the reason); a run in another state is left as it is.</summary>
    /// <returns>The stored run.</returns>
    /// <exception cref="KeyNotFoundException">No run of this id is recorded.</exception>
    Task<FleetLedgerRun> EndRunAsync(string runId, FleetRunState state, string? haltReason, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a halted or completed run running again (its halt reason cleared); with <paramref name="requeueParked"/>, its
    /// parked entries become pending again with their attempts reset to 0 (their last error kept).
    /// </summary>
    /// <returns>The stored run.</returns>
    /// <exception cref="KeyNotFoundException">No run of this id is recorded.</exception>
    Task<FleetLedgerRun> ReopenAsync(string runId, bool requeueParked, CancellationToken cancellationToken);

    /// <summary>Removes a run and its entries; false when none was recorded.</summary>
    Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken);
}

/// <summary>A run as the ledger stores it.</summary>
internal sealed record FleetLedgerRun(
    string RunId,
    string Work,
    int Waves,
    FleetRunState State,
    string? HaltReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One tenant of a run as the ledger stores it.</summary>
internal sealed record FleetLedgerEntry(
    TenantId TenantId,
    int Wave,
    FleetTenantState State,
    int Attempts = 0,
    string? Description = null,
    string? Error = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? EndedAt = null,
    string? Owner = null,
    DateTimeOffset? LeaseUntil = null,
    DateTimeOffset? NotBefore = null)
{
    public FleetTenantEntry ToPublic() => new(TenantId, Wave, State, Attempts, Description, Error, StartedAt, EndedAt);
}

/// <summary>
/// A run's counts per state. <c>Wave</c> is the current wave: the lowest with a pending or running entry (the run's wave
/// count when none is left); <c>Retrying</c> counts pending entries with at least one attempt; <c>NextNotBefore</c> is the
/// earliest retry time still to come among the current wave's pending entries, <c>NextLeaseEnd</c> the earliest lease
/// end among its running ones (null when none).
/// </summary>
internal sealed record FleetLedgerCounts(
    int Pending,
    int Running,
    int Succeeded,
    int Parked,
    int Skipped,
    int Deferred,
    int Retrying,
    int Wave,
    DateTimeOffset? NextNotBefore,
    DateTimeOffset? NextLeaseEnd)
{
    public int Total => Pending + Running + Succeeded + Parked + Skipped + Deferred;
}
