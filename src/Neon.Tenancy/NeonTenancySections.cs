namespace Neon.Tenancy;

/// <summary>
/// The configuration sections of Neon.Tenancy, in one place: the sub-section each feature binds from (relative to the
/// section given to <c>AddNeonTenancy</c>) and the full path of each, which every validation message starts with so it
/// names the setting as it is written in configuration (<c>NeonTenancy:Connections:IdleExpiry</c>).
/// </summary>
/// <remarks>
/// Only the root name is public (<see cref="NeonTenancyOptions.SectionName"/>): users pass that section to
/// <c>AddNeonTenancy</c> and never need a sub-section's name in code.
/// </remarks>
internal static class NeonTenancySections
{
    /// <summary>The root section: <c>NeonTenancy</c>.</summary>
    public const string Root = NeonTenancyOptions.SectionName;

    /// <summary>The Neon API client's options (<c>NeonApiOptions</c>).</summary>
    public const string Api = "Api";

    /// <summary>Scheduled checkpoints' options (<see cref="TenantCheckpointOptions"/>).</summary>
    public const string Checkpoints = "Checkpoints";

    /// <summary>The PostgreSQL catalog's options (<see cref="PostgresTenantCatalogOptions"/>).</summary>
    public const string Catalog = "Catalog";

    /// <summary>The connection factory's options (<see cref="TenantConnectionOptions"/>).</summary>
    public const string Connections = "Connections";

    /// <summary>Schema migrations' options (<see cref="TenantMigrationOptions"/>).</summary>
    public const string Migrations = "Migrations";

    /// <summary>The plans (<see cref="TenantPlanOptions"/>).</summary>
    public const string Plans = "Plans";

    /// <summary>The provider's options (<see cref="TenantProvisioningOptions"/>).</summary>
    public const string Provisioning = "Provisioning";

    /// <summary>The key ring (<see cref="TenantSecretOptions"/>, a member of <see cref="NeonTenancyOptions"/>).</summary>
    public const string Secrets = "Secrets";

    /// <summary>Usage and cost options (<see cref="TenantUsageOptions"/>).</summary>
    public const string Usage = "Usage";

    /// <summary>The warm pool's options (<see cref="WarmPoolOptions"/>).</summary>
    public const string WarmPool = "WarmPool";

    /// <summary><c>NeonTenancy:Catalog</c>.</summary>
    public const string CatalogPath = Root + ":" + Catalog;

    /// <summary><c>NeonTenancy:Checkpoints</c>.</summary>
    public const string CheckpointsPath = Root + ":" + Checkpoints;

    /// <summary><c>NeonTenancy:Connections</c>.</summary>
    public const string ConnectionsPath = Root + ":" + Connections;

    /// <summary><c>NeonTenancy:Migrations</c>.</summary>
    public const string MigrationsPath = Root + ":" + Migrations;

    /// <summary><c>NeonTenancy:Plans</c>.</summary>
    public const string PlansPath = Root + ":" + Plans;

    /// <summary><c>NeonTenancy:Provisioning</c>.</summary>
    public const string ProvisioningPath = Root + ":" + Provisioning;

    /// <summary><c>NeonTenancy:Secrets</c>.</summary>
    public const string SecretsPath = Root + ":" + Secrets;

    /// <summary><c>NeonTenancy:Usage</c>.</summary>
    public const string UsagePath = Root + ":" + Usage;

    /// <summary><c>NeonTenancy:WarmPool</c>.</summary>
    public const string WarmPoolPath = Root + ":" + WarmPool;
}
