namespace Neon.Tenancy;

/// <summary>
/// Keeps every tenant's Neon project in line with its plan: maps plans to Neon quotas and compute settings, changes a
/// tenant's plan live, finds and fixes drift, and suspends or resumes a tenant on purpose through quotas.
/// </summary>
/// <remarks>
/// Neon enforces the quotas itself: when a period quota is used up it suspends the project's computes until the period
/// ends or the quota is raised. Mutations go through the same per-project gate as <see cref="ITenantDatabaseProvider"/>
/// and wait for Neon's operations; each change is recorded in the catalog, whose change feed tells the connection layer
/// to rebuild the tenant's data sources.
/// <para>A tenant's settings are its own (<see cref="TenantRecord.Settings"/>, given at provisioning) or else its plan's;
/// a plan change drops its own. Errors follow <see cref="ITenantDatabaseProvider"/>'s rule: a Neon API failure escapes
/// as the <see cref="Api.NeonApiException"/> the API client threw, unwrapped, and a failed change records why on the
/// tenant.</para>
/// </remarks>
public interface IPlanLimits
{
    /// <summary>The default plan's name.</summary>
    string DefaultPlan { get; }

    /// <summary>The configured plan names.</summary>
    IReadOnlyCollection<string> PlanNames { get; }

    /// <summary>The plan's limits in Neon's units.</summary>
    /// <param name="plan">The plan name (case-insensitive).</param>
    /// <returns>The settings sent to Neon for this plan.</returns>
    /// <exception cref="UnknownPlanException">No plan has this name.</exception>
    TenantPlanSettings GetSettings(string plan);

    /// <summary>
    /// Moves a tenant to another plan: updates the project's quotas and default endpoint settings and its existing
    /// read-write endpoint, waits for Neon's operations, records the plan in the catalog and signals the connection layer.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="plan">The new plan's name.</param>
    /// <param name="cancellationToken">Cancels the call. The plan is recorded only after Neon applied it: a change cut short
    /// is finished by calling again (until then <see cref="ReconcileAsync"/> restores the recorded plan's settings).</param>
    /// <returns>The tenant on its new plan.</returns>
    /// <exception cref="UnknownPlanException">No plan has this name.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is neither ready nor suspended.</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>, or <paramref name="plan"/> is not 1 to 64 characters of letters, digits, '-', '_' and '.'.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed a change or a read (recorded on the tenant for a change; call again).</exception>
    Task<TenantRecord> ChangePlanAsync(TenantId tenantId, string plan, CancellationToken cancellationToken = default);

    /// <summary>Compares the tenant's project settings in Neon with its settings: its own, else its plan's (read-only: one or two API reads).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The differences; empty when the project matches its plan.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant has no project yet.</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed a change or a read (recorded on the tenant for a change; call again).</exception>
    Task<TenantPlanDrift> CheckDriftAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks every ready or suspended tenant against its plan and fixes the drift found, with bounded concurrency
    /// inside the API client's rate budget. A failure for one tenant is reported and does not stop the others.
    /// </summary>
    /// <param name="options">Concurrency and whether to fix or only report; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What was checked, what drifted, what was fixed and what failed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PlanReconcileOptions.MaxConcurrency"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<PlanReconcileReport> ReconcileAsync(PlanReconcileOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Suspends a tenant on purpose (for example an unpaid invoice) the way Neon documents: its period quotas are set
    /// to 1 so Neon suspends its computes; the catalog records <see cref="TenantState.Suspended"/>. Idempotent.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The suspended tenant.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is neither ready nor suspended.</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed a change or a read (recorded on the tenant for a change; call again).</exception>
    Task<TenantRecord> SuspendAsync(TenantId tenantId, CancellationToken cancellationToken = default);

    /// <summary>Restores a suspended tenant's plan quotas and marks it ready. Idempotent.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ready tenant.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is neither ready nor suspended.</exception>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="Api.NeonApiException">Neon refused or failed a change or a read (recorded on the tenant for a change; call again).</exception>
    Task<TenantRecord> ResumeAsync(TenantId tenantId, CancellationToken cancellationToken = default);
}
