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
    /// <summary>
    /// The conventional configuration section: <c>NeonTenancy</c> (<c>AddNeonTenancy(configuration.GetSection(NeonTenancyOptions.SectionName))</c>).
    /// Each feature binds a sub-section of it: <c>Api</c>, <c>Catalog</c>, <c>Connections</c>, <c>Plans</c>,
    /// <c>Provisioning</c>, <c>Secrets</c> and <c>Usage</c>.
    /// </summary>
    public const string SectionName = "NeonTenancy";

    /// <summary>
    /// Prefix of the Neon project name of every tenant, to tell this application's projects apart in a shared
    /// account. Default <c>tenant-</c>. At most 24 characters of a-z, 0-9 and '-', starting with a letter, no <c>--</c>;
    /// may be empty. A project name is the prefix plus the tenant id, or (when that exceeds 64 characters) the prefix,
    /// a shortened id, <c>--</c> and a hash of the full id.
    /// </summary>
    [StringLength(24, ErrorMessage = NeonTenancySections.Root + ":ProjectNamePrefix must be at most {1} characters long.")]
    [ProjectNamePrefix(ErrorMessage = NeonTenancySections.Root + ":ProjectNamePrefix must be at most 24 characters of a-z, 0-9 and '-', start with a letter and not contain '--' (it may be empty).")]
    public string ProjectNamePrefix { get; set; } = "tenant-";

    /// <summary>The key ring encrypting tenants' connection strings (<c>NeonTenancy:Secrets</c>).</summary>
    [Required(ErrorMessage = NeonTenancySections.SecretsPath + " is required.")]
    [ValidateObjectMembers]
    public TenantSecretOptions Secrets { get; set; } = new();
}
