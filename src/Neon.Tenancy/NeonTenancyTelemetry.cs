namespace Neon.Tenancy;

/// <summary>
/// Every telemetry name of Neon.Tenancy in one place: the <see cref="System.Diagnostics.Metrics.Meter"/>, its
/// instruments (OpenTelemetry conventions, durations in seconds) and their tags. Tenant ids are never metric tags
/// (unbounded cardinality). The Neon API client's ActivitySource (also <c>Neon.Tenancy</c>) and span tags are in
/// Neon.Tenancy.Api (<c>NeonApiDiagnostics</c>). Documented in the telemetry reference of src/Neon.Tenancy/README.md,
/// which a test compares with these constants.
/// </summary>
internal static class NeonTenancyTelemetry
{
    /// <summary>
    /// The activity source of this package's own spans (a fleet run), named as the API client's
    /// (<c>Neon.Tenancy</c>): one subscription hears both.
    /// </summary>
    public static readonly System.Diagnostics.ActivitySource ActivitySource = new(MeterName);

    /// <summary>The span of one <see cref="ITenantFleet.RunAsync"/> call.</summary>
    public const string FleetRunActivity = "neon.tenancy.fleet.run";

    /// <summary>The meter of every Neon.Tenancy instrument (shared by the connection factory and the provider).</summary>
    public const string MeterName = "Neon.Tenancy";

    /// <summary>Instrument names.</summary>
    public static class Instruments
    {
        public const string ConnectionCacheHits = "neon.tenancy.connection.cache.hits";
        public const string ConnectionCacheMisses = "neon.tenancy.connection.cache.misses";
        public const string ConnectionCacheEvictions = "neon.tenancy.connection.cache.evictions";
        public const string DataSourcesCreated = "neon.tenancy.connection.data_sources.created";
        public const string DataSourcesAlive = "neon.tenancy.connection.data_sources.alive";
        public const string ConnectionBudgetWaits = "neon.tenancy.connection.budget.waits";
        public const string ConnectionOpenDuration = "neon.tenancy.connection.open.duration";
        public const string ProvisioningDuration = "neon.tenancy.provisioning.duration";
        public const string ProvisioningFailures = "neon.tenancy.provisioning.failures";
        public const string CheckpointDuration = "neon.tenancy.checkpoint.duration";
        public const string CheckpointFailures = "neon.tenancy.checkpoint.failures";
        public const string FleetTenants = "neon.tenancy.fleet.tenants";
        public const string FleetTenantDuration = "neon.tenancy.fleet.tenant.duration";
        public const string PoolDepth = "neon.tenancy.pool.depth";
        public const string PoolClaims = "neon.tenancy.pool.claims";
        public const string PoolMisses = "neon.tenancy.pool.misses";
        public const string PoolClaimDuration = "neon.tenancy.pool.claim.duration";
        public const string PoolReplenishProjects = "neon.tenancy.pool.replenish.projects";
        public const string PoolReplenishFailures = "neon.tenancy.pool.replenish.failures";
    }

    /// <summary>Tag names of the instruments.</summary>
    public static class Tags
    {
        public const string ConnectionKind = "neon.tenancy.connection.kind";
        public const string ProvisioningOutcome = "neon.tenancy.provisioning.outcome";
        public const string ProvisioningStep = "neon.tenancy.provisioning.step";
        public const string CheckpointOperation = "neon.tenancy.checkpoint.operation";
        public const string FleetOutcome = "neon.tenancy.fleet.outcome";
        public const string FleetWork = "neon.tenancy.fleet.work";
        public const string FleetRunId = "neon.tenancy.fleet.run_id";
        public const string PoolRegion = "neon.tenancy.pool.region";
        public const string PoolPlanClass = "neon.tenancy.pool.plan_class";
        public const string PoolMissReason = "neon.tenancy.pool.miss_reason";
        public const string PoolStep = "neon.tenancy.pool.step";
        public const string ErrorType = "error.type";
    }
}
