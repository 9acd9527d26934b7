using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>Sends a tenant's settings to Neon through the kit (wait, PATCH, wait): the project, then its read-write endpoint.</summary>
internal sealed class PlanApplier(TenantMutator kit)
{
    /// <summary>Updates the project's quotas, default endpoint settings and history retention.</summary>
    public Task ApplyProjectAsync(string projectId, TenantPlanSettings settings, bool suspended, CancellationToken cancellationToken) =>
        kit.MutateAsync(projectId, t => kit.Api.Projects.UpdateProjectAsync(projectId, NeonPlanSettings.ProjectPatch(settings, suspended), t),
            updated => updated.Operations, cancellationToken);

    /// <summary>Updates the existing read-write endpoint: default endpoint settings only reach computes created later.</summary>
    public async Task ApplyEndpointAsync(TenantRecord record, TenantPlanSettings settings, CancellationToken cancellationToken)
    {
        if (record.EndpointId is null || NeonPlanSettings.EndpointPatch(settings) is not { } patch)
        {
            return;
        }

        await kit.MutateAsync(record.ProjectId!, t => kit.Api.Endpoints.UpdateProjectEndpointAsync(record.ProjectId!, record.EndpointId, patch, t),
            updated => updated.Operations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies both (a plan change, a resumption).</summary>
    public async Task ApplyAsync(TenantRecord record, TenantPlanSettings settings, CancellationToken cancellationToken)
    {
        await ApplyProjectAsync(record.ProjectId!, settings, suspended: false, cancellationToken).ConfigureAwait(false);
        await ApplyEndpointAsync(record, settings, cancellationToken).ConfigureAwait(false);
    }
}
