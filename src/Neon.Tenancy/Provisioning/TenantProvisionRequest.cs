namespace Neon.Tenancy;

/// <summary>What <see cref="ITenantDatabaseProvider.ProvisionAsync"/> creates for a tenant.</summary>
public sealed record TenantProvisionRequest
{
    /// <summary>The plan name stored in the catalog (for example <c>free</c>, <c>pro</c>): 1 to 64 characters of letters, digits, '-', '_' and '.' (the rule of configured plan names).</summary>
    public required string Plan { get; init; }

    /// <summary>The Neon region id (for example <c>aws-eu-central-1</c>: a-z, 0-9 and '-', at most 64 characters); <see langword="null"/> for the account's default.</summary>
    public string? Region { get; init; }

    /// <summary>The Postgres major version (14 to 18); <see langword="null"/> for Neon's default.</summary>
    public int? PostgresVersion { get; init; }

    /// <summary>The database name; <see langword="null"/> for <see cref="TenantProvisioningOptions.DefaultDatabaseName"/>. The same rules as that option: 1 to 63 characters of a-z, A-Z, 0-9, '_' and '-', starting with a letter or '_'; not <c>postgres</c>, <c>template0</c> or <c>template1</c>.</summary>
    public string? DatabaseName { get; init; }

    /// <summary>The owner role name; <see langword="null"/> for <see cref="TenantProvisioningOptions.DefaultRoleName"/>. The same rules as that option: 1 to 63 characters of a-z, A-Z, 0-9, '_' and '-', starting with a letter or '_'; not a reserved name (<c>pg_*</c>, <c>neon_*</c>, <c>public</c>, <c>none</c>, <c>current_user</c>, <c>current_role</c>, <c>session_user</c>, <c>user</c>, <c>cloud_admin</c>).</summary>
    public string? RoleName { get; init; }

    /// <summary>
    /// Limits sent in the create call (quotas, autoscaling, suspend timeout, history retention); <see langword="null"/>
    /// for the settings of <see cref="Plan"/> from the configured plans (<see cref="IPlanLimits.GetSettings(string)"/>;
    /// an unknown plan fails with <see cref="UnknownPlanException"/> before anything is created). Set it to override them.
    /// </summary>
    public TenantPlanSettings? Settings { get; init; }
}

/// <summary>
/// Per-tenant limits applied in the project create call. Every member is optional; <see langword="null"/> leaves
/// Neon's default. Quotas of 0 mean unlimited (Neon's convention).
/// </summary>
public sealed record TenantPlanSettings
{
    /// <summary>Quota: compute active time per billing period, in seconds.</summary>
    public long? ActiveTimeSecondsQuota { get; init; }

    /// <summary>Quota: CPU seconds (CU-seconds) per billing period.</summary>
    public long? ComputeTimeSecondsQuota { get; init; }

    /// <summary>Quota: bytes written per billing period.</summary>
    public long? WrittenDataBytesQuota { get; init; }

    /// <summary>Quota: bytes transferred out per billing period.</summary>
    public long? DataTransferBytesQuota { get; init; }

    /// <summary>Quota: logical size of a branch, in bytes.</summary>
    public long? LogicalSizeBytesQuota { get; init; }

    /// <summary>The smallest compute size, in compute units (for example 0.25).</summary>
    public double? AutoscalingMinCu { get; init; }

    /// <summary>The largest compute size, in compute units.</summary>
    public double? AutoscalingMaxCu { get; init; }

    /// <summary>Idle time before the compute suspends: whole seconds from 60 s to 7 days; <see cref="Timeout.InfiniteTimeSpan"/> = never.</summary>
    public TimeSpan? SuspendTimeout { get; init; }

    /// <summary>How far back point-in-time restore can go (whole seconds).</summary>
    public TimeSpan? HistoryRetention { get; init; }

    /// <summary>The most physical connections the application's pool opens to the tenant's database (client side; not sent to Neon).</summary>
    public int? MaxPoolSize { get; init; }
}

/// <summary>A tenant's database as the catalog describes it. Carries no secret.</summary>
public sealed record TenantDatabase
{
    /// <summary>The tenant.</summary>
    public required TenantId TenantId { get; init; }

    /// <summary>The lifecycle state.</summary>
    public required TenantState State { get; init; }

    /// <summary>The plan name.</summary>
    public required string Plan { get; init; }

    /// <summary>The deterministic Neon project name.</summary>
    public string? ProjectName { get; init; }

    /// <summary>The Neon project id, once known.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The Neon region id.</summary>
    public string? Region { get; init; }

    /// <summary>The tenant's branch id.</summary>
    public string? BranchId { get; init; }

    /// <summary>The read-write endpoint (compute) id.</summary>
    public string? EndpointId { get; init; }

    /// <summary>The database name as Neon reports it.</summary>
    public string? DatabaseName { get; init; }

    /// <summary>The role the connection strings use, as Neon reports it.</summary>
    public string? RoleName { get; init; }

    /// <summary>The schema version the initializer reported (0 = none).</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The least-privilege application role, when the tenant has one.</summary>
    public string? ApplicationRoleName { get; init; }

    /// <summary>Why the last provisioning attempt failed (no secret); <see langword="null"/> once ready.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Until when a deleted tenant can be recovered; <see langword="null"/> unless deleted.</summary>
    public DateTimeOffset? RecoverableUntil { get; init; }

    /// <summary>The catalog record version this description was read from.</summary>
    public long Version { get; init; }

    internal static TenantDatabase From(TenantRecord record) => new()
    {
        TenantId = record.TenantId,
        State = record.State,
        Plan = record.Plan,
        ProjectName = record.ProjectName,
        ProjectId = record.ProjectId,
        Region = record.Region,
        BranchId = record.BranchId,
        EndpointId = record.EndpointId,
        DatabaseName = record.DatabaseName,
        RoleName = record.RoleName,
        SchemaVersion = record.SchemaVersion,
        ApplicationRoleName = record.ApplicationRoleName,
        FailureReason = record.FailureReason,
        RecoverableUntil = record.RecoverableUntil,
        Version = record.Version,
    };
}

/// <summary>The outcome of <see cref="ITenantDatabaseProvider.DeleteAsync"/>.</summary>
/// <param name="Tenant">The tenant, now <see cref="TenantState.Deleted"/>.</param>
/// <param name="RecoverableUntil">Until when <see cref="ITenantDatabaseProvider.RecoverAsync"/> can bring it back: the deletion time
/// plus <see cref="TenantProvisioningOptions.RecoveryWindow"/> (Neon's documented window; the delete answer does not carry the deadline).
/// <see langword="null"/> when the tenant was deleted before it had a project: there is nothing to recover, and
/// <see cref="ITenantDatabaseProvider.ProvisionAsync"/> provisions it afresh.</param>
public sealed record TenantDeletion(TenantDatabase Tenant, DateTimeOffset? RecoverableUntil);

/// <summary>Where <see cref="ITenantDatabaseProvider.RestoreAsync"/> restores a tenant to: exactly one of a timestamp and an LSN.</summary>
public sealed record TenantRestoreRequest
{
    /// <summary>Restore to the state at this time.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Restore to this WAL position (for example <c>0/1A2B3C4</c>).</summary>
    public string? Lsn { get; init; }

    /// <summary>The branch name to keep the pre-restore state under: 1 to 256 characters (Neon's limit), no control characters, no leading or trailing whitespace; <see langword="null"/> for <c>pre-restore-{UTC time, yyyyMMddTHHmmssZ}</c>.</summary>
    public string? PreserveUnderName { get; init; }
}

/// <summary>The outcome of <see cref="ITenantDatabaseProvider.RestoreAsync"/>.</summary>
/// <param name="Tenant">The tenant after the restore.</param>
/// <param name="PreservedBranchName">The branch holding the pre-restore state.</param>
public sealed record TenantRestoreResult(TenantDatabase Tenant, string PreservedBranchName);

/// <summary>Why <see cref="ITenantDatabaseProvider.SweepOrphansAsync"/> reported a project.</summary>
public enum TenantOrphanReason
{
    /// <summary>No tenant in the catalog has this project id or project name.</summary>
    NotInCatalog = 1,

    /// <summary>The project belongs to a tenant in <see cref="TenantState.Failed"/>.</summary>
    TenantFailed = 2,
}

/// <summary>A project found by <see cref="ITenantDatabaseProvider.SweepOrphansAsync"/>.</summary>
/// <param name="ProjectId">The Neon project id.</param>
/// <param name="ProjectName">The Neon project name.</param>
/// <param name="CreatedAt">When Neon created it.</param>
/// <param name="Reason">Why it was reported.</param>
/// <param name="TenantId">The tenant, for <see cref="TenantOrphanReason.TenantFailed"/>.</param>
/// <param name="Deleted">Whether this sweep deleted it.</param>
public sealed record TenantOrphanProject(string ProjectId, string ProjectName, DateTimeOffset CreatedAt, TenantOrphanReason Reason, TenantId? TenantId, bool Deleted);
