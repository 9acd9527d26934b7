namespace Neon.Tenancy;

/// <summary>A pass's step e: each pool gets the projects it lacks, created, initialized, given its application role and suspended.</summary>
internal sealed partial class TenantWarmPool
{
    /// <summary>
    /// Creates what each configured pool lacks (its size less its ready, creating and migrating entries),
    /// <see cref="WarmPoolOptions.ReplenishParallelism"/> at a time, taking the pools in turn so that each fills alike.
    /// </summary>
    private async Task CreateAsync(IWarmPoolStore store, IReadOnlyList<WarmPoolEntry> entries, PassCounts pass, CancellationToken cancellationToken)
    {
        var missing = _layout.Pools
            .Select(pool => (Pool: pool, Count: _layout.SizeOf(pool) - entries.Count(e => Key(e) == pool && IsLive(e))))
            .Where(p => p.Count > 0)
            .ToList();
        var work = new List<WarmPoolKey>();
        for (var round = 0; missing.Any(p => p.Count > round); round++)
        {
            work.AddRange(missing.Where(p => p.Count > round).Select(p => p.Pool));
        }

        if (work.Count > 0)
        {
            await Parallel.ForEachAsync(work, Parallelism(cancellationToken),
                async (pool, token) => await CreateEntryAsync(store, pool, pass, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates one pool project: the entry first (<see cref="WarmPoolEntryState.Creating"/>, so that a crash finds the
    /// project by its name), the create call (what the answer says recorded at once), Neon's operations, the initializer
    /// (and the migrator, should the initializer stop below its target), the application role, the compute suspended,
    /// then <see cref="WarmPoolEntryState.Ready"/>. A failure is counted, logged and the project recycled.
    /// </summary>
    private async Task CreateEntryAsync(IWarmPoolStore store, WarmPoolKey pool, PassCounts pass, CancellationToken cancellationToken)
    {
        var provisioning = _setup.Options;
        var id = WarmPoolEntry.NewId();
        var entry = new WarmPoolEntry
        {
            Id = id,
            Region = pool.Region,
            PlanClass = pool.PlanClass,
            State = WarmPoolEntryState.Creating,
            ProjectName = WarmPoolEntry.ProjectNameFor(_projectNamePrefix, id),
            DatabaseName = provisioning.DefaultDatabaseName,
            RoleName = provisioning.DefaultRoleName,
            ApplicationRoleName = provisioning.ApplicationRoleName,
        };
        try
        {
            entry = await store.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            pass.AddFailed();
            Failed(entry, "create", exception);
            return;
        }

        try
        {
            var created = await _kit.Api.Projects.CreateProjectAsync(
                _setup.BuildCreateRequest(entry.ProjectName, pool.PublicRegion, postgresVersion: null, entry.DatabaseName, entry.RoleName, _layout.SettingsOf(pool.PlanClass)),
                cancellationToken).ConfigureAwait(false);
            var details = _setup.FromCreateResponse(entry.Identity, created, entry.DatabaseName, entry.RoleName);
            entry = await store.UpdateAsync(entry with
            {
                ProjectId = details.ProjectId,
                NeonRegion = details.Region,
                BranchId = details.BranchId,
                EndpointId = details.EndpointId,
                DatabaseName = details.DatabaseName,
                RoleName = details.RoleName,
                PooledConnectionSecret = details.PooledSecret,
                DirectConnectionSecret = details.DirectSecret,
            }, cancellationToken).ConfigureAwait(false);
            await _kit.WaitAsync(details.Operations, cancellationToken).ConfigureAwait(false);

            var schemaVersion = await InitializeAsync(entry, cancellationToken).ConfigureAwait(false);
            if (entry.ApplicationRoleName is { } applicationRole)
            {
                var project = new TenantProjectAddress(details.ProjectId, details.BranchId, details.EndpointId, entry.DatabaseName);
                var (pooled, direct) = await _setup.CreateApplicationRoleAsync(entry.Identity, project, entry.DirectConnectionSecret, applicationRole,
                    static _ => { }, afterGrants: null, cancellationToken).ConfigureAwait(false);
                entry = await store.UpdateAsync(entry with { ApplicationPooledConnectionSecret = pooled, ApplicationDirectConnectionSecret = direct }, cancellationToken)
                    .ConfigureAwait(false);
            }

            await SuspendAsync(entry, cancellationToken).ConfigureAwait(false);
            entry = await store.UpdateAsync(entry with { State = WarmPoolEntryState.Ready, SchemaVersion = schemaVersion }, cancellationToken).ConfigureAwait(false);
            pass.AddCreated();
            _metrics.Replenished("create");
            WarmPoolLog.ProjectCreated(_logger, entry.Id, details.ProjectId, pool.Region, pool.PlanClass, schemaVersion);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            pass.AddFailed();
            var reason = Failed(entry, "create", exception);
            await RecycleEntryAsync(store, entry with { FailureReason = reason }, "creation failed", pass, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The registered initializer on the new database (as provisioning runs it, for the pool identity), then the
    /// migrator when the initializer stopped below its target. Returns the schema version reached (0 without either).
    /// </summary>
    private async Task<int> InitializeAsync(WarmPoolEntry entry, CancellationToken cancellationToken)
    {
        var schemaVersion = 0;
        if (_initializer is null && (_migrator is null || _migrator.TargetVersion == 0))
        {
            return schemaVersion;
        }

        var direct = _protector.Unprotect(entry.Identity, ConnectionSecretKind.Direct, entry.DirectConnectionSecret.Span);
        if (_initializer is not null)
        {
            schemaVersion = await _initializer.InitializeAsync(new TenantInitializationContext(entry.Identity, direct, schemaVersion), cancellationToken).ConfigureAwait(false);
        }

        if (_migrator is not null && schemaVersion < _migrator.TargetVersion)
        {
            schemaVersion = await _migrations.MigrateDatabaseAsync(entry.Identity, schemaVersion, direct, cancellationToken).ConfigureAwait(false);
        }

        return schemaVersion;
    }

    /// <summary>
    /// Suspends the new project's compute (the initializer and the grants woke it), so the pool costs storage only. Not
    /// fatal when it fails: Neon suspends an idle compute after its suspend timeout anyway.
    /// </summary>
    private async Task SuspendAsync(WarmPoolEntry entry, CancellationToken cancellationToken)
    {
        if (entry.ProjectId is not { } projectId || entry.EndpointId is not { } endpointId)
        {
            return;
        }

        try
        {
            await _kit.MutateAsync(projectId, t => _kit.Api.Endpoints.SuspendProjectEndpointAsync(projectId, endpointId, t), static a => a.Operations, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            WarmPoolLog.SuspendFailed(_logger, entry.Id, projectId, TenantFailureReasons.Describe("suspend", exception));
        }
    }
}
