using System.Globalization;
using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// Schema migration as fleet work: a tenant behind the target runs (or is deferred, per
/// <see cref="TenantMigrationOptions.Deferral"/>); one at the target is skipped. The decision reads the catalog record
/// only, so a deploy with nothing to migrate touches no tenant.
/// </summary>
internal sealed class TenantMigrationWork(TenantMigrations migrations, int targetVersion) : ITenantFleetWork
{
    /// <inheritdoc/>
    public string Name { get; } = "migrate to " + targetVersion.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public FleetTenantDecision Plan(TenantRecord tenant)
    {
        if (tenant.SchemaVersion >= targetVersion)
        {
            return FleetTenantDecision.Skip(string.Create(CultureInfo.InvariantCulture, $"at version {tenant.SchemaVersion}"));
        }

        var step = string.Create(CultureInfo.InvariantCulture, $"{tenant.SchemaVersion} -> {targetVersion}");
        return migrations.Options.Deferral == TenantMigrationDeferral.All
            ? FleetTenantDecision.Defer(step + " on first connection")
            : FleetTenantDecision.Run(step);
    }

    /// <inheritdoc/>
    public async Task<FleetTenantOutcome> ExecuteAsync(FleetTenantContext context, CancellationToken cancellationToken)
    {
        if (migrations.Options.Deferral == TenantMigrationDeferral.Idle && await IsIdleAsync(context.Tenant, cancellationToken).ConfigureAwait(false))
        {
            return FleetTenantOutcome.Deferred;
        }

        await migrations.MigrateTenantAsync(context.TenantId, cancellationToken).ConfigureAwait(false);
        return FleetTenantOutcome.Succeeded;
    }

    /// <summary>Whether the tenant's compute is suspended (scaled to zero): Neon's endpoint state, read without waking it.</summary>
    private async Task<bool> IsIdleAsync(TenantRecord tenant, CancellationToken cancellationToken)
    {
        if (tenant.ProjectId is null || tenant.EndpointId is null)
        {
            return false;
        }

        var endpoint = await migrations.Api.Endpoints.GetProjectEndpointAsync(tenant.ProjectId, tenant.EndpointId, cancellationToken).ConfigureAwait(false);
        return endpoint.Endpoint.CurrentState == EndpointState.Idle;
    }
}
