namespace Neon.Tenancy;

/// <summary>
/// An <see cref="IFleetLedger"/> in process memory, with <see cref="PostgresFleetLedger"/>'s semantics: the ledger of
/// every catalog other than the PostgreSQL one. Nothing survives the process, and instances share nothing: a run is
/// durable and shared across instances only with <c>UsePostgresCatalog()</c>.
/// </summary>
internal sealed class InMemoryFleetLedger(TimeProvider? timeProvider = null) : IFleetLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (FleetLedgerRun Run, SortedDictionary<(int Wave, string Tenant), FleetLedgerEntry> Entries)> _runs =
        new(StringComparer.Ordinal);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public Task<(FleetLedgerRun Run, bool Created)> CreateRunAsync(FleetLedgerRun run, IReadOnlyList<FleetLedgerEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(run.RunId, nameof(run));
        FleetLedgerRules.RequireRecordable(run.State, nameof(run));
        FleetLedgerRules.ValidateEntries(entries);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_runs.TryGetValue(run.RunId, out var existing))
            {
                return Task.FromResult((existing.Run, false));
            }

            var now = CatalogRules.Now(_time);
            var stored = run with { CreatedAt = now, UpdatedAt = now };
            var rows = new SortedDictionary<(int, string), FleetLedgerEntry>(Comparer<(int Wave, string Tenant)>.Create(
                static (a, b) => a.Wave != b.Wave ? a.Wave.CompareTo(b.Wave) : string.CompareOrdinal(a.Tenant, b.Tenant)));
            foreach (var entry in entries)
            {
                rows[(entry.Wave, entry.TenantId.Value)] = FleetLedgerRules.Stored(entry);
            }

            _runs[run.RunId] = (stored, rows);
            return Task.FromResult((stored, true));
        }
    }

    public Task<FleetLedgerRun?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_runs.TryGetValue(runId, out var run) ? run.Run : null);
        }
    }

    public Task<IReadOnlyList<FleetLedgerEntry>> GetEntriesAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<FleetLedgerEntry>>(_runs.TryGetValue(runId, out var run) ? [.. run.Entries.Values] : []);
        }
    }

    public Task<FleetLedgerCounts> CountAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = CatalogRules.Now(_time);
            if (!_runs.TryGetValue(runId, out var run))
            {
                return Task.FromResult(new FleetLedgerCounts(0, 0, 0, 0, 0, 0, 0, 0, null, null));
            }

            int pending = 0, running = 0, succeeded = 0, parked = 0, skipped = 0, deferred = 0, retrying = 0;
            foreach (var entry in run.Entries.Values)
            {
                switch (entry.State)
                {
                    case FleetTenantState.Pending: pending++; retrying += entry.Attempts > 0 ? 1 : 0; break;
                    case FleetTenantState.Running: running++; break;
                    case FleetTenantState.Succeeded: succeeded++; break;
                    case FleetTenantState.Parked: parked++; break;
                    case FleetTenantState.Skipped: skipped++; break;
                    case FleetTenantState.Deferred: deferred++; break;
                }
            }

            var wave = CurrentWave(run.Run, run.Entries.Values);
            var current = run.Entries.Values.Where(e => e.Wave == wave).ToList();
            var nextNotBefore = current.Where(e => e.State == FleetTenantState.Pending && e.NotBefore > now).Min(e => e.NotBefore);
            var nextLeaseEnd = current.Where(e => e.State == FleetTenantState.Running).Min(e => e.LeaseUntil);
            return Task.FromResult(new FleetLedgerCounts(pending, running, succeeded, parked, skipped, deferred, retrying, wave, nextNotBefore, nextLeaseEnd));
        }
    }

    public Task<IReadOnlyList<FleetLedgerEntry>> ClaimAsync(string runId, string owner, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run) || run.Run.State != FleetRunState.Running || max <= 0)
            {
                return Task.FromResult<IReadOnlyList<FleetLedgerEntry>>([]);
            }

            var now = CatalogRules.Now(_time);
            var wave = CurrentWave(run.Run, run.Entries.Values);
            var claimed = new List<FleetLedgerEntry>();
            foreach (var (key, entry) in run.Entries.Where(e => e.Key.Wave == wave).ToList())
            {
                if (claimed.Count == max)
                {
                    break;
                }

                var claimable = entry.State switch
                {
                    FleetTenantState.Pending => entry.NotBefore is null || entry.NotBefore <= now,
                    FleetTenantState.Running => entry.LeaseUntil < now,
                    _ => false,
                };
                if (claimable)
                {
                    var next = entry with
                    {
                        State = FleetTenantState.Running,
                        Owner = owner,
                        LeaseUntil = CatalogRules.Truncate(now + lease),
                        Attempts = entry.Attempts + 1,
                        StartedAt = entry.StartedAt ?? now,
                        NotBefore = null,
                    };
                    run.Entries[key] = next;
                    claimed.Add(next);
                }
            }

            return Task.FromResult<IReadOnlyList<FleetLedgerEntry>>(claimed);
        }
    }

    public Task<int> RenewAsync(string runId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                return Task.FromResult(0);
            }

            var until = CatalogRules.Truncate(CatalogRules.Now(_time) + lease);
            var held = run.Entries.Where(e => e.Value.State == FleetTenantState.Running && e.Value.Owner == owner).Select(e => e.Key).ToList();
            foreach (var key in held)
            {
                run.Entries[key] = run.Entries[key] with { LeaseUntil = until };
            }

            return Task.FromResult(held.Count);
        }
    }

    public Task<bool> FinishAsync(string runId, TenantId tenantId, string owner, FleetTenantState state, string? error, DateTimeOffset? notBefore,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        ArgumentException.ThrowIfNullOrEmpty(owner);
        FleetLedgerRules.RequireDefined(state, nameof(state));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                return Task.FromResult(false);
            }

            foreach (var (key, entry) in run.Entries)
            {
                if (entry.TenantId == tenantId)
                {
                    if (entry.State != FleetTenantState.Running || entry.Owner != owner)
                    {
                        return Task.FromResult(false);
                    }

                    var now = CatalogRules.Now(_time);
                    run.Entries[key] = entry with
                    {
                        State = state,
                        Error = error,
                        Owner = null,
                        LeaseUntil = null,
                        NotBefore = state == FleetTenantState.Pending ? FleetLedgerRules.Truncate(notBefore) : null,
                        EndedAt = state == FleetTenantState.Pending ? null : now,
                    };
                    return Task.FromResult(true);
                }
            }

            return Task.FromResult(false);
        }
    }

    public Task<FleetLedgerRun> EndRunAsync(string runId, FleetRunState state, string? haltReason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        FleetLedgerRules.RequireRecordable(state, nameof(state));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                throw FleetLedgerRules.RunNotFound(runId);
            }

            if (run.Run.State == FleetRunState.Running)
            {
                run.Run = run.Run with { State = state, HaltReason = haltReason, UpdatedAt = CatalogRules.Now(_time) };
                _runs[runId] = run;
            }

            return Task.FromResult(run.Run);
        }
    }

    public Task<FleetLedgerRun> ReopenAsync(string runId, bool requeueParked, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_runs.TryGetValue(runId, out var run))
            {
                throw FleetLedgerRules.RunNotFound(runId);
            }

            run.Run = run.Run with { State = FleetRunState.Running, HaltReason = null, UpdatedAt = CatalogRules.Now(_time) };
            if (requeueParked)
            {
                foreach (var (key, entry) in run.Entries.Where(e => e.Value.State == FleetTenantState.Parked).ToList())
                {
                    run.Entries[key] = entry with { State = FleetTenantState.Pending, Attempts = 0, EndedAt = null, NotBefore = null };
                }
            }

            _runs[runId] = run;
            return Task.FromResult(run.Run);
        }
    }

    public Task<bool> DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_runs.Remove(runId));
        }
    }

    private static int CurrentWave(FleetLedgerRun run, IEnumerable<FleetLedgerEntry> entries)
    {
        var open = entries.Where(e => e.State is FleetTenantState.Pending or FleetTenantState.Running).Select(e => e.Wave).DefaultIfEmpty(run.Waves);
        return open.Min();
    }
}
