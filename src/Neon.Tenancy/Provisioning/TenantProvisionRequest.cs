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
    /// The tenant's own settings (quotas, autoscaling, suspend timeout, history retention, pool size), replacing its
    /// plan's; <see langword="null"/> (the usual case) for the settings of <see cref="Plan"/> from the configured plans
    /// (<see cref="IPlanLimits.GetSettings(string)"/>; an unknown plan fails with <see cref="UnknownPlanException"/>
    /// before anything is created). They are sent in the create call and stored on the tenant
    /// (<see cref="TenantRecord.Settings"/>): drift checks, reconcile, suspension, resumption and the connection layer's
    /// pool size honour them until <see cref="IPlanLimits.ChangePlanAsync"/> moves the tenant to a plan's settings.
    /// </summary>
    public TenantPlanSettings? Settings { get; init; }
}
