namespace Neon.Tenancy;

/// <summary>What <see cref="ITenantFleetWork.ExecuteAsync"/> gets: the tenant, as the catalog had it when the attempt started, and its run.</summary>
public sealed class FleetTenantContext
{
    internal FleetTenantContext(string runId, TenantRecord tenant, int attempt, int wave)
    {
        RunId = runId;
        Tenant = tenant;
        Attempt = attempt;
        Wave = wave;
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>The tenant's id.</summary>
    public TenantId TenantId => Tenant.TenantId;

    /// <summary>The tenant's record, read when this attempt started.</summary>
    public TenantRecord Tenant { get; }

    /// <summary>Which attempt this is on this tenant in this run, from 1 (a run taken over after a crash counts the lost attempt too).</summary>
    public int Attempt { get; }

    /// <summary>The tenant's wave, from 0 (the canary wave, when there is one).</summary>
    public int Wave { get; }

    /// <inheritdoc/>
    public override string ToString() => $"FleetTenantContext {{ RunId = {RunId}, TenantId = {TenantId}, Attempt = {Attempt}, Wave = {Wave} }}";
}
