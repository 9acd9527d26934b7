namespace Neon.Tenancy;

/// <summary>
/// The warm pool as provisioning sees it (implemented beside the pool, in the Pool folder): a source of ready projects a
/// sign-up claims instead of creating one, and the projects the orphan sweep must leave alone. Every method runs under
/// the tenant's lock when it takes a tenant.
/// </summary>
internal interface ITenantProjectPool
{
    /// <summary>
    /// Claims a fitting pool project for a tenant that never had a create sent (its record at version 1, no project) and
    /// finishes the claim: plan, name, credentials, ready. <see langword="null"/> when the pool is off, the request does
    /// not fit it or it is empty (the cold path then runs).
    /// </summary>
    /// <param name="record">The tenant's reserved record.</param>
    /// <param name="request">The sign-up.</param>
    /// <param name="settings">The plan's settings (or the tenant's own), applied to the claimed project.</param>
    /// <param name="steps">Told each step entered (for the failure's report) and each checkpoint passed (a test hook).</param>
    /// <param name="cancellationToken">Cancels the claim; a claim interrupted after its transaction is finished by <see cref="ResumeAsync"/>.</param>
    /// <returns>The tenant, <see cref="TenantState.Ready"/>; or <see langword="null"/>.</returns>
    Task<TenantRecord?> TryClaimAsync(TenantRecord record, TenantProvisionRequest request, TenantPlanSettings? settings, ProvisioningSteps steps,
        CancellationToken cancellationToken);

    /// <summary>Finishes a claim an earlier call began for this tenant; <see langword="null"/> when the tenant has none in progress.</summary>
    /// <param name="record">The tenant's record (it holds the claimed project).</param>
    /// <param name="steps">Told each step entered and each checkpoint passed.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    Task<TenantRecord?> ResumeAsync(TenantRecord record, ProvisioningSteps steps, CancellationToken cancellationToken);

    /// <summary>The names of the projects the pool knows (in any state): the orphan sweep's to leave alone.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlySet<string>> ProjectNamesAsync(CancellationToken cancellationToken);
}

/// <summary>What a step of provisioning reports back: the step it enters (for the failure's report) and the checkpoints it passes (a test hook).</summary>
/// <param name="Enter">Called with each step entered.</param>
/// <param name="Checkpoint">Called at each checkpoint; throwing there simulates a failure or a crash.</param>
internal readonly record struct ProvisioningSteps(Action<TenantProvisioningStep> Enter, Func<ProvisioningCheckpoint, CancellationToken, ValueTask> Checkpoint);
