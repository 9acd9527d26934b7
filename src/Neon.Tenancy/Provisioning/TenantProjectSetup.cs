using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The steps that make a Neon project a tenant's, shared by cold provisioning (<see cref="TenantDatabaseProvider"/>) and
/// the warm pool (which runs them before anyone signs up, for a pool identity): the create call and what the catalog
/// keeps of its answer, the least-privilege application role, and a role's password rotation.
/// </summary>
/// <remarks>
/// <c>identity</c> parameters name what the secrets are encrypted for: a tenant's id, or a pool project's
/// identity (<see cref="TenantId.ForPoolProject"/>).
/// </remarks>
internal sealed class TenantProjectSetup(
    TenantMutator kit,
    IConnectionSecretProtector protector,
    IOptions<TenantProvisioningOptions> options,
    IOptionsMonitor<NeonApiOptions> apiOptions,
    ILogger<TenantDatabaseProvider>? logger = null)
{
    private readonly TenantProvisioningOptions _options = options.Value;
    private readonly ILogger _logger = logger ?? NullLogger<TenantDatabaseProvider>.Instance;

    /// <summary>The provisioning options (database and role defaults, the application role, SSL mode).</summary>
    public TenantProvisioningOptions Options => _options;

    /// <summary>The create call: names, region, version and, from <see cref="NeonPlanSettings"/>, what the settings manage.</summary>
    public ProjectCreateRequest BuildCreateRequest(string projectName, string? region, int? postgresVersion, string databaseName, string roleName, TenantPlanSettings? settings)
    {
        var project = new ProjectCreateRequestProject
        {
            Name = projectName,
            RegionId = region,
            PgVersion = postgresVersion,
            OrgId = apiOptions.CurrentValue.OrgId,
            Branch = new ProjectCreateRequestProjectBranch { DatabaseName = databaseName, RoleName = roleName },
        };
        if (settings is not null)
        {
            NeonPlanSettings.ApplyTo(project, settings);
        }

        return new ProjectCreateRequest { Project = project };
    }

    /// <summary>What the catalog keeps of a create call's answer, the connection strings encrypted for <paramref name="identity"/>.</summary>
    public TenantProjectDetails FromCreateResponse(TenantId identity, CreateProjectResponse created, string databaseName, string roleName)
    {
        var endpoint = created.Endpoints.FirstOrDefault(e => e.Type == EndpointType.ReadWrite) ?? created.Endpoints.FirstOrDefault();
        var uri = created.ConnectionUris.FirstOrDefault()
            ?? throw new InvalidOperationException($"Neon returned no connection details for '{identity}''s project '{created.Project.Id}'.");
        var p = uri.ConnectionParameters;
        var pooledHost = string.IsNullOrEmpty(p.PoolerHost) ? p.Host : p.PoolerHost;
        return new TenantProjectDetails(
            created.Project.Id,
            created.Project.RegionId,
            created.Branch.Id,
            endpoint?.Id,
            created.Databases.FirstOrDefault()?.Name ?? databaseName,
            created.Roles.FirstOrDefault(r => string.Equals(r.Name, roleName, StringComparison.Ordinal))?.Name ?? created.Roles.FirstOrDefault()?.Name ?? roleName,
            protector.Protect(identity, ConnectionSecretKind.Pooled, TenantConnectionStrings.Build(pooledHost, p.Database, p.Role, p.Password, _options.SslMode)),
            protector.Protect(identity, ConnectionSecretKind.Direct, TenantConnectionStrings.Build(p.Host, p.Database, p.Role, p.Password, _options.SslMode)),
            created.Operations.ToList());
    }

    /// <summary>
    /// Creates the application role through the API (or, when an earlier attempt created it, resets its password: the old
    /// one is not known), waits for Neon's operations, applies its grants on the owner's direct connection, and returns
    /// its encrypted connection strings. Every part is idempotent, so a retry redoes it all.
    /// </summary>
    /// <param name="identity">What the secrets are (and the owner's secret is) encrypted for.</param>
    /// <param name="project">The project, its branch, its read-write endpoint and the database.</param>
    /// <param name="ownerDirectSecret">The owner's encrypted direct connection string (the grants run on it).</param>
    /// <param name="applicationRole">The role's name.</param>
    /// <param name="enter">Told the step being entered (for the failure's report).</param>
    /// <param name="afterGrants">Called once the grants are applied (a test hook), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<(byte[] Pooled, byte[] Direct)> CreateApplicationRoleAsync(TenantId identity, TenantProjectAddress project, ReadOnlyMemory<byte> ownerDirectSecret,
        string applicationRole, Action<TenantProvisioningStep> enter, Func<CancellationToken, ValueTask>? afterGrants, CancellationToken cancellationToken)
    {
        var (projectId, branchId) = (project.ProjectId, project.BranchId);
        var exists = false;
        try
        {
            await kit.Api.Branches.GetProjectBranchRoleAsync(projectId, branchId, applicationRole, cancellationToken).ConfigureAwait(false);
            exists = true;
        }
        catch (NeonNotFoundException)
        {
            // Not created yet.
        }

        var answer = await kit.SendAsync(projectId, t => exists
            ? kit.Api.Branches.ResetProjectBranchRolePasswordAsync(projectId, branchId, applicationRole, t)
            : kit.Api.Branches.CreateProjectBranchRoleAsync(projectId, branchId, new RoleCreateRequest { Role = new RoleCreateRequestRole { Name = applicationRole } }, t),
            cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            ProvisioningLog.ApplicationRolePasswordReset(_logger, identity.Value, applicationRole);
        }
        else
        {
            ProvisioningLog.ApplicationRoleCreated(_logger, identity.Value, applicationRole);
        }

        enter(TenantProvisioningStep.WaitForOperations);
        await kit.WaitAsync(answer.Operations, cancellationToken).ConfigureAwait(false);

        // Neon's connection details for the role (host names, and the role and database names as the server knows them).
        enter(TenantProvisioningStep.CreateApplicationRole);
        var pooledUri = await kit.Api.Projects.GetConnectionURIAsync(projectId, project.DatabaseName, applicationRole, branchId, project.EndpointId, pooled: true, cancellationToken)
            .ConfigureAwait(false);
        var directUri = await kit.Api.Projects.GetConnectionURIAsync(projectId, project.DatabaseName, applicationRole, branchId, project.EndpointId, pooled: false, cancellationToken)
            .ConfigureAwait(false);
        var pooled = TenantConnectionStrings.FromUri(pooledUri.Uri, _options.SslMode);
        var direct = TenantConnectionStrings.FromUri(directUri.Uri, _options.SslMode);
        if (answer.Role.Password is { Length: > 0 } password)
        {
            // The create/reset answer carries the password; prefer it over what connection_uri revealed.
            pooled = TenantConnectionStrings.WithPassword(pooled, password);
            direct = TenantConnectionStrings.WithPassword(direct, password);
        }

        enter(TenantProvisioningStep.GrantApplicationRole);
        var ownerDirect = protector.Unprotect(identity, ConnectionSecretKind.Direct, ownerDirectSecret.Span);
        await TenantApplicationRoleGrants.ApplyAsync(ownerDirect, TenantConnectionStrings.UsernameOf(direct), cancellationToken).ConfigureAwait(false);
        ProvisioningLog.ApplicationRoleGranted(_logger, identity.Value, applicationRole);
        if (afterGrants is not null)
        {
            await afterGrants(cancellationToken).ConfigureAwait(false);
        }

        return (protector.Protect(identity, ConnectionSecretKind.ApplicationPooled, pooled), protector.Protect(identity, ConnectionSecretKind.ApplicationDirect, direct));
    }

    /// <summary>Rotates the owner's password, then the application role's when the tenant has one (one project, one mutation at a time).</summary>
    /// <param name="record">The tenant.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="firstPoll">An early first poll of Neon's operations, for a rotation someone is waiting on (a claim).</param>
    public async Task<TenantRecord> RotateAllAsync(TenantRecord record, CancellationToken cancellationToken, TimeSpan? firstPoll = null)
    {
        record = await RotateRoleAsync(record, record.RoleName!, ConnectionSecretKind.Pooled, ConnectionSecretKind.Direct, firstPoll, cancellationToken).ConfigureAwait(false);
        if (record.ApplicationRoleName is { } applicationRole && !record.ApplicationPooledConnectionSecret.IsEmpty)
        {
            record = await RotateRoleAsync(record, applicationRole, ConnectionSecretKind.ApplicationPooled, ConnectionSecretKind.ApplicationDirect, firstPoll, cancellationToken)
                .ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>
    /// Resets one role's password and stores it at once, before waiting for Neon's operation: Neon keeps the old password
    /// valid until the operation finishes, and the connection layer switches as soon as the change feed reports it.
    /// </summary>
    private async Task<TenantRecord> RotateRoleAsync(TenantRecord record, string role, ConnectionSecretKind pooledKind, ConnectionSecretKind directKind,
        TimeSpan? firstPoll, CancellationToken cancellationToken)
    {
        var tenantId = record.TenantId;
        var reset = await kit.SendAsync(record.ProjectId!, t => kit.Api.Branches.ResetProjectBranchRolePasswordAsync(record.ProjectId!, record.BranchId!, role, t), cancellationToken)
            .ConfigureAwait(false);
        var password = reset.Role.Password
            ?? throw new InvalidOperationException($"Neon did not return the new password of role '{role}' of tenant '{tenantId}'.");
        var pooled = pooledKind == ConnectionSecretKind.Pooled;
        record = await kit.UpdateAsync(tenantId, r => pooled
            ? r with
            {
                PooledConnectionSecret = WithPassword(tenantId, pooledKind, r.PooledConnectionSecret, password),
                DirectConnectionSecret = WithPassword(tenantId, directKind, r.DirectConnectionSecret, password),
            }
            : r with
            {
                ApplicationPooledConnectionSecret = WithPassword(tenantId, pooledKind, r.ApplicationPooledConnectionSecret, password),
                ApplicationDirectConnectionSecret = WithPassword(tenantId, directKind, r.ApplicationDirectConnectionSecret, password),
            }, cancellationToken).ConfigureAwait(false);
        await kit.WaitAsync(reset.Operations, cancellationToken, firstPoll).ConfigureAwait(false);
        ProvisioningLog.Rotated(_logger, tenantId.Value, role);
        return record;
    }

    /// <summary>A secret encrypted for <paramref name="from"/>, opened and encrypted again for <paramref name="to"/> (a claim hands a pool project's secrets to its tenant).</summary>
    public byte[] Reencrypt(TenantId from, TenantId to, ConnectionSecretKind kind, ReadOnlyMemory<byte> secret) =>
        secret.IsEmpty ? [] : protector.Protect(to, kind, protector.Unprotect(from, kind, secret.Span));

    private byte[] WithPassword(TenantId tenantId, ConnectionSecretKind kind, ReadOnlyMemory<byte> secret, string password) =>
        protector.Protect(tenantId, kind, TenantConnectionStrings.WithPassword(protector.Unprotect(tenantId, kind, secret.Span), password));
}

/// <summary>Where a project's database is: the project, its branch, its read-write endpoint and the database's name.</summary>
internal readonly record struct TenantProjectAddress(string ProjectId, string BranchId, string? EndpointId, string DatabaseName);

/// <summary>A project as provisioning learns it (from the create call's answer, or by adoption).</summary>
[DebuggerDisplay("{ProjectId}")]
internal sealed record TenantProjectDetails(
    string ProjectId,
    string? Region,
    string BranchId,
    string? EndpointId,
    string DatabaseName,
    string RoleName,
    byte[] PooledSecret,
    byte[] DirectSecret,
    IReadOnlyList<Operation> Operations);
