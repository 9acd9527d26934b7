using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>The least-privilege application role (<see cref="TenantProvisioningOptions.ApplicationRoleName"/>), a provisioning step.</summary>
internal sealed partial class TenantDatabaseProvider
{
    /// <summary>
    /// Creates the tenant's application role through the API (or, when an earlier attempt created it, resets its
    /// password: the old one is not known), waits for Neon's operations, applies its grants on the owner's direct
    /// connection, and returns its encrypted connection strings. Every part is idempotent, so a retry redoes it all.
    /// </summary>
    private async Task<(byte[] Pooled, byte[] Direct)> ProvisionApplicationRoleAsync(
        TenantId tenantId, TenantRecord record, string applicationRole, Action<TenantProvisioningStep> enter, CancellationToken cancellationToken)
    {
        var projectId = record.ProjectId!;
        var branchId = record.BranchId!;
        var exists = false;
        try
        {
            await _api.Branches.GetProjectBranchRoleAsync(projectId, branchId, applicationRole, cancellationToken).ConfigureAwait(false);
            exists = true;
        }
        catch (NeonNotFoundException)
        {
            // Not created yet.
        }

        var answer = await _kit.SendAsync(projectId, t => exists
            ? _api.Branches.ResetProjectBranchRolePasswordAsync(projectId, branchId, applicationRole, t)
            : _api.Branches.CreateProjectBranchRoleAsync(projectId, branchId, new RoleCreateRequest { Role = new RoleCreateRequestRole { Name = applicationRole } }, t),
            cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            ProvisioningLog.ApplicationRolePasswordReset(_logger, tenantId.Value, applicationRole);
        }
        else
        {
            ProvisioningLog.ApplicationRoleCreated(_logger, tenantId.Value, applicationRole);
        }

        enter(TenantProvisioningStep.WaitForOperations);
        await _kit.WaitAsync(answer.Operations, cancellationToken).ConfigureAwait(false);

        // Neon's connection details for the role (host names, and the role and database names as the server knows them).
        enter(TenantProvisioningStep.CreateApplicationRole);
        var database = record.DatabaseName ?? _options.DefaultDatabaseName;
        var pooledUri = await _api.Projects.GetConnectionURIAsync(projectId, database, applicationRole, branchId, record.EndpointId, pooled: true, cancellationToken).ConfigureAwait(false);
        var directUri = await _api.Projects.GetConnectionURIAsync(projectId, database, applicationRole, branchId, record.EndpointId, pooled: false, cancellationToken).ConfigureAwait(false);
        var pooled = TenantConnectionStrings.FromUri(pooledUri.Uri, _options.SslMode);
        var direct = TenantConnectionStrings.FromUri(directUri.Uri, _options.SslMode);
        if (answer.Role.Password is { Length: > 0 } password)
        {
            // The create/reset answer carries the password; prefer it over what connection_uri revealed.
            pooled = TenantConnectionStrings.WithPassword(pooled, password);
            direct = TenantConnectionStrings.WithPassword(direct, password);
        }

        enter(TenantProvisioningStep.GrantApplicationRole);
        var ownerDirect = _protector.Unprotect(tenantId, ConnectionSecretKind.Direct, record.DirectConnectionSecret.Span);
        await TenantApplicationRoleGrants.ApplyAsync(ownerDirect, TenantConnectionStrings.UsernameOf(direct), cancellationToken).ConfigureAwait(false);
        ProvisioningLog.ApplicationRoleGranted(_logger, tenantId.Value, applicationRole);
        await CheckpointAsync(ProvisioningCheckpoint.AfterApplicationRoleGrants, cancellationToken).ConfigureAwait(false);

        return (_protector.Protect(tenantId, ConnectionSecretKind.ApplicationPooled, pooled),
            _protector.Protect(tenantId, ConnectionSecretKind.ApplicationDirect, direct));
    }
}
