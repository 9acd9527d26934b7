namespace Neon.Tenancy;

/// <summary>
/// Creates, describes, deletes, recovers, restores and rotates the credentials of tenants' databases: one Neon project
/// per tenant, recorded in the <see cref="ITenantCatalog"/>.
/// </summary>
/// <remarks>
/// <para>Provisioning is idempotent and resumable: the catalog reservation and the tenant's deterministic project name
/// stand in for the idempotency keys the Neon API lacks. Concurrent calls for one tenant, in one process or in several
/// instances sharing a PostgreSQL catalog, create exactly one project; a call abandoned at any step (crash, timeout,
/// cancellation) is finished by the next call, which adopts the project an earlier attempt created instead of creating
/// a second one.</para>
/// <para>Reads (<see cref="GetAsync"/>, <see cref="ListAllAsync"/>) come from the catalog and never call Neon. Changes
/// that affect connections (restore, rotation, delete) are signalled by updating the catalog record, whose change
/// feed tells the connection layer to drop cached connections.</para>
/// <para>Errors, one rule for every operation here and in <see cref="IPlanLimits"/>: a Neon API failure escapes as the
/// <see cref="Api.NeonApiException"/> the API client threw (<see cref="Api.NeonOperationFailedException"/>,
/// <see cref="Api.NeonOperationTimeoutException"/>, ...), never wrapped, so one <c>catch (NeonApiException)</c> handles
/// Neon for all of them; a failed change also records why on the tenant (<see cref="TenantRecord.FailureReason"/>, the
/// step or operation first) and the same call, repeated, finishes it. <see cref="TenantProvisioningException"/> is
/// only for provisioning's own steps that are not Neon's (the catalog, the initializer, the application role's
/// grants). Refusals that changed nothing are <see cref="TenantNotFoundException"/>, <see cref="TenantStateException"/>
/// and <see cref="ArgumentException"/>.</para>
/// </remarks>
public interface ITenantDatabaseProvider
{
    /// <summary>
    /// Provisions the tenant's database, or finishes an earlier attempt, and returns it once it is ready. For a tenant
    /// that is already ready this reads the catalog and makes no Neon API call.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="request">Plan, region, Postgres version, database and role names, plan settings.</param>
    /// <param name="cancellationToken">Cancels the call; the next call resumes where this one stopped.</param>
    /// <returns>The ready tenant database.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed a step (creating the project, its operations, the
    /// application role); the catalog says <see cref="TenantState.Failed"/> with a secret-free
    /// <see cref="TenantRecord.FailureReason"/> naming the step, and a later call resumes.</exception>
    /// <exception cref="TenantProvisioningException">A step that is not Neon's failed (the catalog, the initializer, the
    /// application role's grants); recorded and resumed the same way.</exception>
    /// <exception cref="UnknownPlanException">Plans are configured, <see cref="TenantProvisionRequest.Settings"/> is not
    /// set and no plan has the request's name; nothing is called then.</exception>
    /// <exception cref="TenantStateException">The tenant is deleting or deleted (recover it instead).</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>, or the request breaks a rule (plan, database or role name, region, Postgres version: the rules of <see cref="TenantProvisioningOptions"/>; reserved role names such as <c>pg_*</c> and <c>neon_*</c> are refused); nothing is called then.</exception>
    Task<TenantRecord> ProvisionAsync(TenantId tenantId, TenantProvisionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes one tenant from the catalog (no Neon API call).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant, or <see langword="null"/> when it is not in the catalog.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>Streams every tenant from the catalog (no Neon API call), ordered by tenant id, optionally in one state.</summary>
    /// <param name="state">Only tenants in this state; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The tenants, read one catalog page (<see cref="TenantQuery.MaxPageSize"/>) at a time. For one page, use <see cref="ITenantCatalog.ListAsync"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    IAsyncEnumerable<TenantRecord> ListAllAsync(TenantState? state = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the tenant's project and keeps the record as <see cref="TenantState.Deleted"/> until Neon's recovery
    /// deadline. Idempotent: deleting a deleted tenant, or one whose project Neon no longer has, succeeds.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call; the record then says <see cref="TenantState.Deleting"/> and a later call finishes.</param>
    /// <returns>When the project stops being recoverable.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed the deletion (recorded on the tenant; call again).</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<TenantDeletion> DeleteAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>Recovers a deleted tenant's project within Neon's recovery window and marks the tenant ready.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ready tenant.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not deleted (or deleting).</exception>
    /// <exception cref="Api.NeonApiException">Neon refused (for example the recovery window has passed).</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<TenantRecord> RecoverAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Restores the tenant's branch in place to a timestamp or LSN, keeping the pre-restore state as a branch, waits for
    /// Neon's operations, then signals the connection layer to drop cached connections. It shares the restore path of
    /// checkpoint restores (<see cref="TenantRecord.PendingRestore"/>): recorded before Neon is asked, so a call
    /// interrupted at any step is finished by the next restore call instead of being repeated.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="request">The point to restore to and the name to keep the pre-restore state under.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was restored and where the pre-restore state is.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>, the request names neither or both of a timestamp and an LSN, or its <see cref="TenantRestoreRequest.PreserveUnderName"/> is not 1 to 256 characters without control characters (Neon's branch name limit) or names a branch the project already has.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not ready or suspended, or a checkpoint restore preview is pending.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed the restore (for example a time outside the history retention).</exception>
    Task<TenantRestoreResult> RestoreAsync(TenantId tenantId, TenantRestoreRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resets the password of the tenant's owner role, and then of its application role when it has one
    /// (<see cref="TenantProvisioningOptions.ApplicationRoleName"/>), stores the new encrypted connection strings and
    /// signals the connection layer to replace cached connections.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tenant after rotation.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not ready or suspended.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed a password reset (recorded on the tenant; call again).</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    Task<TenantRecord> RotateCredentialsAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds Neon projects that carry this application's project-name prefix but belong to no tenant in the catalog,
    /// and tenants stuck in <see cref="TenantState.Failed"/>; deletes the orphan projects only when asked.
    /// </summary>
    /// <param name="deleteOrphans">Delete the projects no catalog record knows. Projects of failed tenants are reported, never deleted here.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was found (and, for orphans, whether it was deleted).</returns>
    /// <exception cref="Api.NeonApiException">Listing or deleting projects failed.</exception>
    Task<IReadOnlyList<TenantOrphanProject>> SweepOrphansAsync(bool deleteOrphans = false, CancellationToken cancellationToken = default);
}
