using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of single settings of <see cref="PostgresTenantCatalogOptions"/>, declared once as data annotations on
/// the options and checked by this source-generated validator (no reflection). Never prints a connection string.
/// </summary>
[OptionsValidator]
internal sealed partial class PostgresTenantCatalogOptionsValidator : IValidateOptions<PostgresTenantCatalogOptions>;

/// <summary>The rule of <see cref="PostgresTenantCatalogOptions"/> across settings.</summary>
internal sealed class PostgresTenantCatalogOptionsCrossFieldValidator : IValidateOptions<PostgresTenantCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresTenantCatalogOptions options) =>
        options.ListenerMaxReconnectDelay < options.ListenerReconnectDelay
            ? ValidateOptionsResult.Fail(NeonTenancySections.CatalogPath + ":ListenerMaxReconnectDelay must be at least ListenerReconnectDelay.")
            : ValidateOptionsResult.Success;
}
