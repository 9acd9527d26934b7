namespace Neon.Tenancy;

/// <summary>
/// The event ids of every log event Neon.Tenancy writes, as constants to filter on (as Npgsql's <c>NpgsqlEventId</c>);
/// each event's <see cref="Microsoft.Extensions.Logging.EventId.Name"/> is the name of its constant. Ids never change
/// meaning; a retired id is not reused (retired: 6001 and 6003). The Neon API client (Neon.Tenancy.Api) uses 1000-1099 (<c>NeonApiEventId</c>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>Catalog: 2000-2099 (the tenant catalog and its change feed).</description></item>
/// <item><description>Connections: 3000-3099 (the tenant connection factory).</description></item>
/// <item><description>Provisioning: 4000-4099 (tenant lifecycle: provision, delete, recover, restore, rotate, application role, orphans, the mutation path).</description></item>
/// <item><description>Plans: 5000-5099 (plan changes, suspend and resume, drift and reconcile).</description></item>
/// <item><description>Usage: 6000-6099 (usage, history and thresholds).</description></item>
/// <item><description>Checkpoints: 7000-7099 (checkpoints and restoring them; 7010-7019 the checkpoint scheduler).</description></item>
/// <item><description>Fleet and migrations: 8000-8099 (the fleet engine), 8100-8199 (schema migrations).</description></item>
/// <item><description>Warm pool: 8200-8299 (8200-8209 the replenisher, 8210-8219 claims).</description></item>
/// </list>
/// </remarks>
public static class NeonTenancyEventId
{
    // Catalog: 2000-2099 (the tenant catalog and its change feed)
    /// <summary>2000: The catalog schema was upgraded (Information).</summary>
    public const int CatalogSchemaUpgraded = 2000;

    /// <summary>2001: The catalog schema is already current (Debug).</summary>
    public const int CatalogSchemaCurrent = 2001;

    /// <summary>2002: A tenant was reserved in the catalog (Information).</summary>
    public const int TenantReserved = 2002;

    /// <summary>2003: A catalog update was refused: stale version, optimistic concurrency (Debug).</summary>
    public const int CatalogUpdateConflict = 2003;

    /// <summary>2004: A tenant was removed from the catalog (Information).</summary>
    public const int TenantRemoved = 2004;

    /// <summary>2010: A tenant change handler threw (Error).</summary>
    public const int ChangeHandlerFailed = 2010;

    /// <summary>2011: The change listener is listening on its channel (Information).</summary>
    public const int ChangeListenerStarted = 2011;

    /// <summary>2012: The change listener lost its connection and reconnects (Warning).</summary>
    public const int ChangeListenerDisconnected = 2012;

    /// <summary>2013: A malformed change notification was ignored (Warning).</summary>
    public const int MalformedChangeNotification = 2013;

    /// <summary>2014: The change listener stopped (Debug).</summary>
    public const int ChangeListenerStopped = 2014;

    // Connections: 3000-3099 (the tenant connection factory)
    /// <summary>3000: A tenant data source was built (Debug).</summary>
    public const int DataSourceBuilt = 3000;

    /// <summary>3001: A tenant data source left the cache (Debug).</summary>
    public const int DataSourceRetired = 3001;

    /// <summary>3002: A tenant data source was disposed (Debug).</summary>
    public const int DataSourceDisposed = 3002;

    /// <summary>3003: Disposing a tenant data source failed (Warning).</summary>
    public const int DataSourceDisposeFailed = 3003;

    /// <summary>3004: Opening a tenant connection failed transiently and is retried (Debug).</summary>
    public const int TransientOpenFailure = 3004;

    /// <summary>3005: A first open was slow: compute waking from scale-to-zero, or restored from archive (Information).</summary>
    public const int SlowFirstOpen = 3005;

    /// <summary>3006: A tenant did not accept a connection before the open deadline (Warning).</summary>
    public const int OpenDeadlineExceeded = 3006;

    /// <summary>3007: Authentication failed; the tenant's record is reloaded (Information).</summary>
    public const int AuthenticationFailedReloading = 3007;

    /// <summary>3008: An open waits for the global connection budget (Debug).</summary>
    public const int WaitingForConnectionBudget = 3008;

    /// <summary>3009: The connection budget stayed spent; a connection was refused (Warning).</summary>
    public const int ConnectionBudgetExceeded = 3009;

    // Provisioning: 4000-4099 (tenant lifecycle: provision, delete, recover, restore, rotate, application role, orphans, the mutation path)
    /// <summary>4000: A tenant was provisioned (Information).</summary>
    public const int TenantProvisioned = 4000;

    /// <summary>4001: The tenant's project is being created (Information).</summary>
    public const int ProjectCreating = 4001;

    /// <summary>4002: A project an earlier attempt created is adopted (Information).</summary>
    public const int ProjectAdopting = 4002;

    /// <summary>4003: An unfinished provisioning resumes (Information).</summary>
    public const int ProvisioningResuming = 4003;

    /// <summary>4004: Provisioning failed at a step (Error).</summary>
    public const int ProvisioningFailed = 4004;

    /// <summary>4005: Several projects carry the tenant's name; the oldest is adopted (Warning).</summary>
    public const int SeveralProjectsNamed = 4005;

    /// <summary>4006: A provisioning failure could not be recorded in the catalog (Warning).</summary>
    public const int ProvisioningFailureNotRecorded = 4006;

    /// <summary>4010: The tenant's project was deleted (Information).</summary>
    public const int TenantDeleted = 4010;

    /// <summary>4011: The tenant's project was recovered (Information).</summary>
    public const int TenantRecovered = 4011;

    /// <summary>4012: The tenant's branch was restored (Information).</summary>
    public const int TenantRestored = 4012;

    /// <summary>4013: The tenant's role password was rotated (Information).</summary>
    public const int CredentialsRotated = 4013;

    /// <summary>4014: A tenant was deleted before it had a project (Information).</summary>
    public const int TenantDeletedWithoutProject = 4014;

    /// <summary>4020: An orphan project was found (Warning).</summary>
    public const int OrphanProjectFound = 4020;

    /// <summary>4021: The application role was created (Information).</summary>
    public const int ApplicationRoleCreated = 4021;

    /// <summary>4022: The application role existed from an earlier attempt; its password was reset (Information).</summary>
    public const int ApplicationRolePasswordReset = 4022;

    /// <summary>4023: The application role's grants were applied (Information).</summary>
    public const int ApplicationRoleGranted = 4023;

    /// <summary>4030: The project has running operations; the next change waits for them (Information).</summary>
    public const int WaitingForOperations = 4030;

    /// <summary>4031: A lifecycle change did not finish; its reason is recorded on the tenant (Warning).</summary>
    public const int TenantChangeFailed = 4031;

    // Plans: 5000-5099 (plan changes, suspend and resume, drift and reconcile)
    /// <summary>5000: A tenant's plan changed (Information).</summary>
    public const int PlanChanged = 5000;

    /// <summary>5001: A tenant was suspended (Information).</summary>
    public const int TenantSuspended = 5001;

    /// <summary>5002: A tenant was resumed on its plan (Information).</summary>
    public const int TenantResumed = 5002;

    /// <summary>5003: Project settings differ from the tenant's plan (Warning).</summary>
    public const int PlanDriftFound = 5003;

    /// <summary>5004: One drifted setting, actual and expected (Debug).</summary>
    public const int PlanDriftSetting = 5004;

    /// <summary>5005: Drift was fixed (Information).</summary>
    public const int PlanDriftFixed = 5005;

    /// <summary>5006: A tenant changed while being reconciled (Information).</summary>
    public const int ChangedDuringReconcile = 5006;

    /// <summary>5007: Reconciling a tenant failed (Error).</summary>
    public const int ReconcileFailed = 5007;

    /// <summary>5008: A reconcile finished (Information).</summary>
    public const int ReconcileCompleted = 5008;

    /// <summary>5009: An endpoint was not suspended at once; the quota suspends it (Debug).</summary>
    public const int EndpointNotSuspended = 5009;

    // Usage: 6000-6099 (usage, history and thresholds)
    /// <summary>6000: Usage history was served from the cache (Debug).</summary>
    public const int UsageHistoryCacheHit = 6000;

    /// <summary>6002: Neon returned no consumption data for a tenant's project (Warning).</summary>
    public const int UsageHistoryProjectMissing = 6002;

    /// <summary>6004: A tenant's usage could not be read; fleet reads go on (Warning).</summary>
    public const int TenantUsageReadFailed = 6004;

    /// <summary>6005: A tenant approached or exceeded a plan limit (Information).</summary>
    public const int UsageThresholdCrossed = 6005;

    /// <summary>6006: A usage threshold observer failed; the read goes on (Error).</summary>
    public const int UsageObserverFailed = 6006;

    /// <summary>6007: A fleet usage read finished (Information).</summary>
    public const int FleetUsageRead = 6007;

    /// <summary>6008: Usage history was read in batches (Information).</summary>
    public const int UsageHistoryRead = 6008;

    // Checkpoints: 7000-7099 (checkpoints and restoring them; 7010-7019 the checkpoint scheduler)
    /// <summary>7000: A checkpoint was created (Information).</summary>
    public const int CheckpointCreated = 7000;

    /// <summary>7001: A checkpoint was deleted (Information).</summary>
    public const int CheckpointDeleted = 7001;

    /// <summary>7002: A checkpoint expired by its plan's retention and was deleted (Information).</summary>
    public const int CheckpointExpired = 7002;

    /// <summary>7003: A tenant was restored to a checkpoint (Information).</summary>
    public const int CheckpointRestored = 7003;

    /// <summary>7004: The catalog followed the tenant's branch to the one Neon serves it from (Warning: an earlier restore was interrupted).</summary>
    public const int CatalogFollowedBranch = 7004;

    /// <summary>7005: A restore preview is ready on its own branch; the tenant keeps serving its current data (Information).</summary>
    public const int RestorePreviewReady = 7005;

    /// <summary>7006: A restore preview was finalized: the tenant now lives on the preview branch (Information).</summary>
    public const int RestoreFinalized = 7006;

    /// <summary>7007: A restore preview was discarded and its branch deleted (Information).</summary>
    public const int RestoreDiscarded = 7007;

    /// <summary>7008: An interrupted restore was found on the tenant and is finished first (Warning).</summary>
    public const int RestoreResumed = 7008;

    /// <summary>7009: A finalized restore's previous branch could not be deleted (Checkpoints:DeletePreviousBranch); it is kept (Warning).</summary>
    public const int RestorePreviousBranchNotDeleted = 7009;

    /// <summary>7010: The checkpoint scheduler started: its period (Information).</summary>
    public const int CheckpointSchedulerStarted = 7010;

    /// <summary>7011: A scheduler tick ran: tenants read, due, checkpoints created and failed (Information when any was due, else Debug).</summary>
    public const int CheckpointSchedulerTickCompleted = 7011;

    /// <summary>7012: A scheduler tick was skipped: another instance holds the scheduler's lease (Debug).</summary>
    public const int CheckpointSchedulerLeaseHeldElsewhere = 7012;

    /// <summary>7013: A tenant's scheduled checkpoint failed; the other tenants go on (Warning).</summary>
    public const int ScheduledCheckpointFailed = 7013;

    /// <summary>7014: A scheduler tick failed (catalog or lease unreachable); the next tick tries again (Error).</summary>
    public const int CheckpointSchedulerTickFailed = 7014;

    /// <summary>7015: A tenant's Neon backup schedule was synced: schedule set or already right, Neon's snapshots recorded and forgotten (Information when anything changed, else Debug).</summary>
    public const int NeonBackupScheduleSynced = 7015;

    /// <summary>7016: The restored branch has no application role (created after the restored point): the record drops it (Warning).</summary>
    public const int RestoreApplicationRoleGone = 7016;

    /// <summary>7017: A snapshot Neon held that the catalog did not list (an interrupted checkpoint) was recorded as a checkpoint (Warning).</summary>
    public const int CheckpointAdopted = 7017;

    /// <summary>8000: A fleet run was recorded and started: tenants to work on, waves, skipped and deferred (Information).</summary>
    public const int FleetRunStarted = 8000;

    /// <summary>8001: This instance joined a recorded fleet run (a rerun, or another instance's run) (Information).</summary>
    public const int FleetRunJoined = 8001;

    /// <summary>8002: A fleet run had nothing to do: the catalog was read, nothing was recorded or touched (Information).</summary>
    public const int FleetNothingToDo = 8002;

    /// <summary>8003: A fleet run's wave started on this instance (Information).</summary>
    public const int FleetWaveStarted = 8003;

    /// <summary>8004: A tenant's work succeeded or was deferred (Debug).</summary>
    public const int FleetTenantSucceeded = 8004;

    /// <summary>8005: A tenant's work failed transiently and is retried after a backoff (Warning).</summary>
    public const int FleetTenantRetrying = 8005;

    /// <summary>8006: A tenant was parked with its error; the others go on (Error).</summary>
    public const int FleetTenantParked = 8006;

    /// <summary>8007: A worker's lease on a tenant had passed and another took the tenant over; its outcome was not recorded (Warning).</summary>
    public const int FleetLeaseLost = 8007;

    /// <summary>8008: A fleet run halted: the failure threshold was reached (Error).</summary>
    public const int FleetRunHalted = 8008;

    /// <summary>8009: A fleet run call ended on this instance (completed, halted, or stopped with tenants left): the counts (Information).</summary>
    public const int FleetRunEnded = 8009;

    /// <summary>8010: The fleet ledger could not be written (an outcome or a lease renewal); the lease runs out and the tenant is tried again (Warning).</summary>
    public const int FleetLedgerFailed = 8010;

    /// <summary>8011: The caller's progress handler threw; the run goes on (Warning).</summary>
    public const int FleetProgressFailed = 8011;

    /// <summary>8100: A tenant's schema was migrated: from and to versions (Information).</summary>
    public const int TenantMigrated = 8100;

    /// <summary>8101: A tenant's schema migration failed: whether it was restored to its checkpoint (Error).</summary>
    public const int TenantMigrationFailed = 8101;

    /// <summary>8102: The restore after a failed migration failed: the tenant may be partly migrated (Critical).</summary>
    public const int TenantMigrationRestoreFailed = 8102;

    /// <summary>8103: A deferred tenant is migrated before its first connection (Information).</summary>
    public const int TenantMigratingOnFirstConnection = 8103;

    /// <summary>8200: The warm pool's replenisher started: its interval and pools (Information).</summary>
    public const int WarmPoolReplenisherStarted = 8200;

    /// <summary>8201: A replenishing pass ended: projects created, migrated, recycled, failures (Information; Debug when it did nothing).</summary>
    public const int WarmPoolPassCompleted = 8201;

    /// <summary>8202: A replenishing pass was skipped on this instance: another holds the replenisher's lease (Debug).</summary>
    public const int WarmPoolLeaseHeldElsewhere = 8202;

    /// <summary>8203: A pool project was created and made ready (Information).</summary>
    public const int WarmPoolProjectCreated = 8203;

    /// <summary>8204: A ready pool project was migrated to the current schema version (Information).</summary>
    public const int WarmPoolProjectMigrated = 8204;

    /// <summary>8205: A pool project was recycled (deleted): why (Information).</summary>
    public const int WarmPoolProjectRecycled = 8205;

    /// <summary>8206: A claimed pool entry was removed: its tenant holds the project, or is gone (Debug).</summary>
    public const int WarmPoolClaimSettled = 8206;

    /// <summary>8207: A replenisher step failed on one pool project (create, migrate, recycle); the pass goes on (Warning).</summary>
    public const int WarmPoolStepFailed = 8207;

    /// <summary>8208: A new pool project's compute could not be suspended; Neon suspends it after its timeout (Warning).</summary>
    public const int WarmPoolSuspendFailed = 8208;

    /// <summary>8209: A replenishing pass failed as a whole (the catalog or the lease); the replenisher tries again next interval (Error).</summary>
    public const int WarmPoolPassFailed = 8209;

    /// <summary>8210: A sign-up does not fit the warm pool (its own settings, names, Postgres version, plan or region) and goes the cold path (Debug).</summary>
    public const int WarmPoolNotPooled = 8210;

    /// <summary>8211: The warm pool that fits a sign-up has no ready project at the current schema version: the cold path runs (Information).</summary>
    public const int WarmPoolEmpty = 8211;

    /// <summary>8212: A sign-up claimed a warm-pool project (Information).</summary>
    public const int WarmPoolClaimed = 8212;

    /// <summary>8213: A claim an earlier call began is finished (Information).</summary>
    public const int WarmPoolClaimResumed = 8213;

    /// <summary>8214: A finished claim's pool entry could not be removed; the replenisher removes it (Warning).</summary>
    public const int WarmPoolClaimedEntryNotRemoved = 8214;
}
