using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Schema migrations (<see cref="ITenantMigrations"/>): the guarded migration of one tenant (checkpoint, migrate under
/// the tenant's lock, record the version, restore and park on failure), run over the fleet by
/// <see cref="TenantMigrationWork"/>, on first connections by <see cref="DeferredMigrationGate"/>.
/// </summary>
internal sealed class TenantMigrations : ITenantMigrations
{
    /// <summary>The metadata key of a migration's checkpoint: the versions, <c>3-&gt;4</c>.</summary>
    internal const string CheckpointMetadataKey = "neon.tenancy.migration";

    private readonly ITenantMigrator? _migrator;
    private readonly TenantMutator _kit;
    private readonly ITenantCheckpoints _checkpoints;
    private readonly ITenantFleet _fleet;
    private readonly IConnectionSecretProtector _protector;
    private readonly TenantConnectionFactory? _connections;
    private readonly TenantMigrationOptions _options;
    private readonly ILogger _logger;
    private readonly SingleFlight<TenantId, TenantRecord> _inFlight = new();

    public TenantMigrations(
        TenantMutator kit,
        ITenantCheckpoints checkpoints,
        ITenantFleet fleet,
        IConnectionSecretProtector protector,
        IOptions<TenantMigrationOptions> options,
        ITenantMigrator? migrator = null,
        TenantConnectionFactory? connections = null,
        ILogger<TenantMigrations>? logger = null)
    {
        _kit = kit;
        _checkpoints = checkpoints;
        _fleet = fleet;
        _protector = protector;
        _options = options.Value;
        _migrator = migrator;
        _connections = connections;
        _logger = logger ?? NullLogger<TenantMigrations>.Instance;
    }

    /// <inheritdoc/>
    public int TargetVersion => Migrator.TargetVersion;

    internal TenantMigrationOptions Options => _options;

    internal NeonApiClient Api => _kit.Api;

    private ITenantMigrator Migrator => _migrator ?? throw new InvalidOperationException(
        "No ITenantMigrator is registered: call AddTenantMigrator(...), AddEntityFrameworkCoreMigrations<TContext>() or AddDbUpMigrations(...) on the AddNeonTenancy() builder.");

    /// <summary>The operation named in a failed migration's <see cref="TenantRecord.FailureReason"/>: the first connection does not retry it.</summary>
    internal static string Operation(int targetVersion) => "migrate to " + targetVersion.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public Task<FleetPlan> PlanAsync(FleetRunOptions? options = null, CancellationToken cancellationToken = default) =>
        _fleet.PlanAsync(new TenantMigrationWork(this, Migrator.TargetVersion), options ?? DefaultRun(), cancellationToken);

    /// <inheritdoc/>
    public Task<FleetRunResult> MigrateAsync(FleetRunOptions? options = null, IProgress<FleetProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _fleet.RunAsync(new TenantMigrationWork(this, Migrator.TargetVersion), options ?? DefaultRun(), progress, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// Single flight per tenant in this instance: concurrent callers (a run and first connections, pooled and direct
    /// first opens) share one migration and one checkpoint. The shared migration is not cancelled by any caller (a
    /// tenant is never left half migrated because one caller gave up): each caller's token only stops its wait, and
    /// the migration itself is bounded by <see cref="TenantMigrationOptions.Timeout"/>.
    /// </remarks>
    public Task<TenantRecord> MigrateTenantAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        TenantRequestRules.Validate(tenantId);
        _ = Migrator;
        return _inFlight.RunAsync(tenantId, MigrateGuardedAsync, cancellationToken);
    }

    /// <summary>
    /// Checkpoint, migrate under the lock, record; on failure (its timeout included) restore, record the reason and throw
    /// <see cref="TenantMigrationException"/>. The whole of it, the wait for the tenant's lock included, is bounded by
    /// <see cref="TenantMigrationOptions.Timeout"/>; no caller's token reaches it (see <see cref="MigrateTenantAsync"/>).
    /// </summary>
    private async Task<TenantRecord> MigrateGuardedAsync(TenantId tenantId)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout);
        var cancellationToken = timeout.Token;
        var migrator = Migrator;
        var target = migrator.TargetVersion;
        var record = await _kit.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        if (record.State != TenantState.Ready)
        {
            throw new TenantStateException(tenantId, record.State, Operation(target));
        }

        if (record.SchemaVersion >= target)
        {
            return record;
        }

        if (record.DirectConnectionSecret.IsEmpty)
        {
            // Before the checkpoint: a migration needs the owner's direct connection.
            throw new TenantStateException(tenantId, record.State, Operation(target), "it has no direct connection secret in the catalog");
        }

        var from = record.SchemaVersion;
        TenantCheckpoint? checkpoint = null;
        try
        {
            if (_options.Checkpoint)
            {
                checkpoint = await _checkpoints.CreateCheckpointAsync(tenantId, $"before schema v{target}",
                    new Dictionary<string, string>(StringComparer.Ordinal) { [CheckpointMetadataKey] = string.Create(CultureInfo.InvariantCulture, $"{from}->{target}") },
                    cancellationToken).ConfigureAwait(false);
            }

            return await _kit.LockedAsync(tenantId, token => MigrateLockedAsync(tenantId, migrator, token), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not (TenantStateException or TenantNotFoundException or OutOfMemoryException))
        {
            var exception = failure is OperationCanceledException && timeout.IsCancellationRequested
                ? new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"The migration of tenant '{tenantId}' did not finish within {_options.Timeout} (Migrations:Timeout)."), failure)
                : failure;
            var restored = false;
            if (checkpoint is not null)
            {
                try
                {
                    // Not the caller's token: a tenant half migrated must not stay so because the caller gave up.
                    await _checkpoints.RestoreCheckpointAsync(tenantId, checkpoint.Id, TenantRestoreMode.Finalize, CancellationToken.None).ConfigureAwait(false);
                    restored = true;
                }
                catch (Exception restoreFailure) when (restoreFailure is not OutOfMemoryException)
                {
                    MigrationLog.RestoreFailed(_logger, restoreFailure, tenantId.Value, checkpoint.Id);
                }
            }

            await _kit.RecordFailureAsync(tenantId, TenantFailureReasons.Describe(Operation(target), exception)).ConfigureAwait(false);
            MigrationLog.Failed(_logger, exception, tenantId.Value, from, target, restored);
            throw new TenantMigrationException(tenantId, from, target, restored, exception);
        }
    }

    /// <summary>Under the tenant's lock: the version read again (another instance may have migrated it), the migrator, the catalog.</summary>
    private async Task<TenantRecord> MigrateLockedAsync(TenantId tenantId, ITenantMigrator migrator, CancellationToken cancellationToken)
    {
        var target = migrator.TargetVersion;
        var current = await _kit.GetAsync(tenantId, cancellationToken).ConfigureAwait(false);
        if (current.SchemaVersion >= target)
        {
            return current;
        }

        if (current.State != TenantState.Ready || current.DirectConnectionSecret.IsEmpty)
        {
            throw new TenantStateException(tenantId, current.State, Operation(target));
        }

        var connectionString = _protector.Unprotect(tenantId, ConnectionSecretKind.Direct, current.DirectConnectionSecret.Span);
        var context = new TenantMigrationContext(tenantId, current.SchemaVersion, target, connectionString,
            _connections is { } factory ? t => factory.OpenBudgetedAsync(tenantId, connectionString, t) : TenantMigrationContext.OpenUnpooled(connectionString));
        var reached = await migrator.MigrateAsync(context, cancellationToken).ConfigureAwait(false);
        if (reached < target)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The migrator of tenant '{tenantId}' returned version {reached}, below its target {target}."));
        }

        var updated = await _kit.UpdateAsync(tenantId, r => r with { SchemaVersion = reached }, CancellationToken.None).ConfigureAwait(false);
        MigrationLog.Migrated(_logger, tenantId.Value, current.SchemaVersion, reached);
        return updated;
    }

    /// <summary>The migrator's connections for a new tenant (provisioning's initializer): unpooled, outside the cache.</summary>
    internal Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken)
    {
        var migrator = Migrator;
        return migrator.MigrateAsync(Context(context.TenantId, context.SchemaVersion, migrator.TargetVersion, context.DirectConnectionString), cancellationToken);
    }

    /// <summary>
    /// Runs the migrator on a database no tenant holds in the catalog (a warm-pool project, by its pool identity): no
    /// checkpoint (a failure discards the database), no lock and no catalog write (the caller records the version);
    /// connections as a new tenant's. Bounded by <see cref="TenantMigrationOptions.Timeout"/>.
    /// </summary>
    /// <returns>The version reached (the target).</returns>
    /// <exception cref="TimeoutException">The migration ran past Migrations:Timeout (and was cancelled).</exception>
    /// <exception cref="InvalidOperationException">No migrator is registered, or it returned a version below its target.</exception>
    internal async Task<int> MigrateDatabaseAsync(TenantId identity, int recordedVersion, string directConnectionString, CancellationToken cancellationToken)
    {
        var migrator = Migrator;
        var target = migrator.TargetVersion;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        int reached;
        try
        {
            reached = await migrator.MigrateAsync(Context(identity, recordedVersion, target, directConnectionString), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException canceled) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"The migration of '{identity}' did not finish within {_options.Timeout} (Migrations:Timeout)."), canceled);
        }

        if (reached < target)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The migrator of '{identity}' returned version {reached}, below its target {target}."));
        }

        return reached;
    }

    private TenantMigrationContext Context(TenantId tenantId, int recordedVersion, int targetVersion, string directConnectionString) =>
        new(tenantId, recordedVersion, targetVersion, directConnectionString,
            _connections is { } factory ? t => factory.OpenBudgetedAsync(tenantId, directConnectionString, t) : TenantMigrationContext.OpenUnpooled(directConnectionString));

    /// <summary>The tenant's record as stored now (after a failed migration on a first connection).</summary>
    internal Task<TenantRecord?> RereadAsync(TenantId tenantId, CancellationToken cancellationToken) => _kit.Catalog.GetAsync(tenantId, cancellationToken);

    private FleetRunOptions DefaultRun() => new() { RunId = "schema-v" + Migrator.TargetVersion.ToString(CultureInfo.InvariantCulture) };
}
