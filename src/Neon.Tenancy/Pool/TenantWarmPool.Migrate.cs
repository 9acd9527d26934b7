namespace Neon.Tenancy;

/// <summary>A pass's step d: ready projects below the current schema version are migrated to it.</summary>
internal sealed partial class TenantWarmPool
{
    /// <summary>
    /// Migrates every ready entry below <paramref name="target"/>, and every entry a crash left
    /// <see cref="WarmPoolEntryState.Migrating"/> (migrators are idempotent), <see cref="WarmPoolOptions.ReplenishParallelism"/>
    /// at a time.
    /// </summary>
    private async Task MigrateAsync(IWarmPoolStore store, IReadOnlyList<WarmPoolEntry> entries, int target, PassCounts pass, CancellationToken cancellationToken)
    {
        var due = entries
            .Where(e => (e.State == WarmPoolEntryState.Ready && e.SchemaVersion < target) || (e.State == WarmPoolEntryState.Migrating && IsStale(e)))
            .ToList();
        if (due.Count > 0)
        {
            await Parallel.ForEachAsync(due, Parallelism(cancellationToken),
                async (entry, token) => await MigrateEntryAsync(store, entry, target, pass, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ready → Migrating (version-checked: a claim that came first wins and the entry is skipped), the migrator on the
    /// project's direct connection (no checkpoint: a failed migration recycles the project), → Ready at the version
    /// reached. A failure is counted, logged and the project recycled.
    /// </summary>
    private async Task MigrateEntryAsync(IWarmPoolStore store, WarmPoolEntry entry, int target, PassCounts pass, CancellationToken cancellationToken)
    {
        var from = entry.SchemaVersion;
        try
        {
            // For an entry a crash left Migrating, this write takes it over (and restarts its stale clock).
            entry = await store.UpdateAsync(entry with { State = WarmPoolEntryState.Migrating }, cancellationToken).ConfigureAwait(false);
        }
        catch (WarmPoolConcurrencyException)
        {
            return;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(entry, "migrate", exception);
            pass.AddFailed();
            return;
        }

        try
        {
            var reached = from;
            if (_migrator is not null && from < target)
            {
                var direct = _protector.Unprotect(entry.Identity, ConnectionSecretKind.Direct, entry.DirectConnectionSecret.Span);
                reached = await _migrations.MigrateDatabaseAsync(entry.Identity, from, direct, cancellationToken).ConfigureAwait(false);
            }

            entry = await store.UpdateAsync(entry with { State = WarmPoolEntryState.Ready, SchemaVersion = reached, FailureReason = null }, cancellationToken)
                .ConfigureAwait(false);
            if (reached > from)
            {
                pass.AddMigrated();
                _metrics.Replenished("migrate");
                WarmPoolLog.ProjectMigrated(_logger, entry.Id, entry.ProjectId ?? string.Empty, from, reached);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            pass.AddFailed();
            var reason = Failed(entry, "migrate", exception);
            await RecycleEntryAsync(store, entry with { FailureReason = reason }, "migration failed", pass, cancellationToken).ConfigureAwait(false);
        }
    }
}
