using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>A pass's first steps: claims the tenants have finished, what a crash left, and the projects that no longer belong.</summary>
internal sealed partial class TenantWarmPool
{
    /// <summary>
    /// Step a: removes each <see cref="WarmPoolEntryState.Claimed"/> entry whose tenant holds the project (ready or
    /// suspended), is gone or deleted, or holds another project. The project is the tenant's (or went with it): never
    /// deleted here. A tenant still provisioning or failed keeps its entry: its next provisioning call finishes the claim.
    /// </summary>
    private async Task SettleClaimsAsync(IWarmPoolStore store, IReadOnlyList<WarmPoolEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            if (entry.State != WarmPoolEntryState.Claimed || entry.ClaimedBy is not { } tenantId)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var tenant = await _kit.Catalog.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
                var outcome = tenant switch
                {
                    null => "tenant gone",
                    { State: TenantState.Deleted or TenantState.Deleting } => "tenant deleted",
                    { ProjectId: { } projectId } when !string.Equals(projectId, entry.ProjectId, StringComparison.Ordinal) => "tenant holds another project",
                    { State: TenantState.Provisioning or TenantState.Failed } => null,
                    _ => "claim finished",
                };
                if (outcome is null)
                {
                    continue;
                }

                await store.RemoveAsync(entry.Id, cancellationToken).ConfigureAwait(false);
                WarmPoolLog.ClaimSettled(_logger, entry.Id, tenantId.Value, outcome, entry.ProjectId);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                Failed(entry, "settle", exception);
            }
        }
    }

    /// <summary>
    /// Steps b and c: recycles the entries a crash left half created or half recycled (older than <see cref="StaleAfter"/>),
    /// and the ready ones that no longer belong: of a pool no longer configured, older than <see cref="WarmPoolOptions.MaxAge"/>,
    /// created with other names than provisioning now uses, or beyond their pool's size (oldest first).
    /// </summary>
    private async Task RecycleAsync(IWarmPoolStore store, IReadOnlyList<WarmPoolEntry> entries, PassCounts pass, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var doomed = new Dictionary<string, (WarmPoolEntry Entry, string Reason)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var reason = entry.State switch
            {
                WarmPoolEntryState.Creating when IsStale(entry) => "creation left by a crash",
                WarmPoolEntryState.Recycling when IsStale(entry) => "recycling left by a crash",
                WarmPoolEntryState.Ready when _layout.SizeOf(Key(entry)) == 0 => "pool no longer configured",
                WarmPoolEntryState.Ready when now - entry.CreatedAt >= _options.MaxAge => "older than MaxAge",
                WarmPoolEntryState.Ready when !HasCurrentNames(entry) => "names differ from the provisioning options",
                _ => null,
            };
            if (reason is not null)
            {
                doomed[entry.Id] = (entry, reason);
            }
        }

        foreach (var pool in _layout.Pools)
        {
            var live = entries.Where(e => Key(e) == pool && IsLive(e) && !doomed.ContainsKey(e.Id)).ToList();
            var surplus = live.Count - _layout.SizeOf(pool);
            foreach (var entry in live.Where(e => e.State == WarmPoolEntryState.Ready).Take(Math.Max(0, surplus))) // the store lists oldest first
            {
                doomed[entry.Id] = (entry, "beyond the pool's size");
            }
        }

        if (doomed.Count > 0)
        {
            await Parallel.ForEachAsync(doomed.Values, Parallelism(cancellationToken),
                async (item, token) => await RecycleEntryAsync(store, item.Entry, item.Reason, pass, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Recycles one entry: marks it <see cref="WarmPoolEntryState.Recycling"/> (version-checked: a claim that came first
    /// wins, and the entry is left alone), deletes its project (found by name when the create's answer was never
    /// recorded; already gone is fine) and removes the entry. A failure is logged and counted; the entry stays
    /// recycling and a pass takes it up again once it is stale.
    /// </summary>
    private async Task RecycleEntryAsync(IWarmPoolStore store, WarmPoolEntry entry, string reason, PassCounts pass, CancellationToken cancellationToken)
    {
        try
        {
            if (entry.State != WarmPoolEntryState.Recycling)
            {
                try
                {
                    entry = await store.UpdateAsync(entry with { State = WarmPoolEntryState.Recycling }, cancellationToken).ConfigureAwait(false);
                }
                catch (WarmPoolConcurrencyException)
                {
                    return; // claimed or changed since it was read
                }
            }

            IReadOnlyList<string> projectIds = entry.ProjectId is { } projectId ? [projectId] : await ProjectsNamedAsync(entry.ProjectName, cancellationToken).ConfigureAwait(false);
            foreach (var id in projectIds)
            {
                try
                {
                    await _kit.SendAsync(id, t => _kit.Api.Projects.DeleteProjectAsync(id, t), cancellationToken).ConfigureAwait(false);
                }
                catch (NeonNotFoundException)
                {
                    // Already deleted (by an earlier attempt or by hand).
                }
            }

            await store.RemoveAsync(entry.Id, cancellationToken).ConfigureAwait(false);
            pass.AddRecycled();
            _metrics.Replenished("recycle");
            WarmPoolLog.ProjectRecycled(_logger, entry.Id, projectIds.Count == 0 ? null : string.Join(", ", projectIds), reason);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Failed(entry, "recycle", exception);
        }
    }

    /// <summary>
    /// The projects named exactly <paramref name="projectName"/> (Neon's search matches parts of names): a create whose
    /// answer was lost still made one. Pool project names carry the entry's random id, so every match is the entry's.
    /// </summary>
    private async Task<IReadOnlyList<string>> ProjectsNamedAsync(string projectName, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var project in _kit.Api.Projects.ListAllProjectsAsync(search: projectName, orgId: _apiOptions.CurrentValue.OrgId,
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(project.Name, projectName, StringComparison.Ordinal))
            {
                ids.Add(project.Id);
            }
        }

        return ids;
    }

    /// <summary>Whether the entry was created with the database, owner and application role provisioning uses now (a claim needs them equal).</summary>
    private bool HasCurrentNames(WarmPoolEntry entry)
    {
        var provisioning = _setup.Options;
        return string.Equals(entry.DatabaseName, provisioning.DefaultDatabaseName, StringComparison.Ordinal)
            && string.Equals(entry.RoleName, provisioning.DefaultRoleName, StringComparison.Ordinal)
            && string.Equals(entry.ApplicationRoleName, provisioning.ApplicationRoleName, StringComparison.Ordinal);
    }

    /// <summary>Whether the entry is, or is on its way to being, one of its pool's ready projects.</summary>
    private static bool IsLive(WarmPoolEntry entry) =>
        entry.State is WarmPoolEntryState.Ready or WarmPoolEntryState.Creating or WarmPoolEntryState.Migrating;

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _options.ReplenishParallelism, CancellationToken = cancellationToken };

    /// <summary>Counts and logs a failed step on one entry (secret-free reason; the exception for the stack).</summary>
    private string Failed(WarmPoolEntry entry, string step, Exception exception)
    {
        var reason = TenantFailureReasons.Describe(step, exception);
        _metrics.Failed(step);
        WarmPoolLog.StepFailed(_logger, exception, entry.Id, step, entry.ProjectId, reason);
        return reason;
    }
}
