using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Options of Neon.Tenancy, bound from the <c>NeonTenancy</c> configuration section and validated at start.
/// </summary>
/// <remarks>
/// <para>Sub-sections: <c>NeonTenancy:Secrets</c> (<see cref="Secrets"/>), <c>NeonTenancy:Catalog</c>
/// (<see cref="PostgresTenantCatalogOptions"/>, used by <c>UsePostgresCatalog()</c>) and <c>NeonTenancy:Api</c>
/// (the Neon API client's own options, <c>NeonApiOptions</c> in Neon.Tenancy.Api: API key, base address, ...).</para>
/// </remarks>
public sealed class NeonTenancyOptions
{
    /// <summary>The conventional configuration section: <c>NeonTenancy</c>.</summary>
    public const string SectionName = "NeonTenancy";

    /// <summary>The sub-section holding the Neon API client's options: <c>Api</c> (so <c>NeonTenancy:Api</c>).</summary>
    public const string ApiSectionName = "Api";

    /// <summary>The sub-section holding the catalog's options: <c>Catalog</c> (so <c>NeonTenancy:Catalog</c>).</summary>
    public const string CatalogSectionName = "Catalog";

    /// <summary>The sub-section holding the plans (<see cref="TenantPlanOptions"/>): <c>Plans</c> (so <c>NeonTenancy:Plans</c>).</summary>
    public const string PlansSectionName = "Plans";

    /// <summary>The sub-section holding <see cref="TenantProvisioningOptions"/>: <c>Provisioning</c>.</summary>
    public const string ProvisioningSectionName = "Provisioning";

    /// <summary>The sub-section holding usage and cost options: <c>Usage</c> (so <c>NeonTenancy:Usage</c>, see <see cref="UsageOptions"/>).</summary>
    public const string UsageSectionName = "Usage";

    /// <summary>
    /// Prefix of the Neon project name of every tenant, to tell this application's projects apart in a shared
    /// account. Default <c>tenant-</c>. At most 24 characters of a-z, 0-9 and '-', starting with a letter, no <c>--</c>;
    /// may be empty. A project name is the prefix plus the tenant id, or (when that exceeds 64 characters) the prefix,
    /// a shortened id, <c>--</c> and a hash of the full id.
    /// </summary>
    [StringLength(24, ErrorMessage = "NeonTenancy:ProjectNamePrefix must be at most 24 characters long.")]
    public string ProjectNamePrefix { get; set; } = "tenant-";

    /// <summary>The key ring encrypting tenants' connection strings (<c>NeonTenancy:Secrets</c>).</summary>
    [Required]
    [ValidateObjectMembers]
    public ConnectionSecretOptions Secrets { get; set; } = new();
}
