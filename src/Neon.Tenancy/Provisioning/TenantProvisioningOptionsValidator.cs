using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of single settings of <see cref="TenantProvisioningOptions"/>, declared once as data annotations on the
/// options and checked by this source-generated validator (no reflection). Each message names the full setting.
/// </summary>
[OptionsValidator]
internal sealed partial class TenantProvisioningOptionsValidator : IValidateOptions<TenantProvisioningOptions>;

/// <summary>The rule of <see cref="TenantProvisioningOptions"/> across settings: the application role is not the owner.</summary>
internal sealed class TenantProvisioningOptionsCrossFieldValidator : IValidateOptions<TenantProvisioningOptions>
{
    private const string Path = NeonTenancySections.ProvisioningPath + ":";

    public ValidateOptionsResult Validate(string? name, TenantProvisioningOptions options) =>
        options.ApplicationRoleName is { } role && string.Equals(role, options.DefaultRoleName, StringComparison.Ordinal)
            ? ValidateOptionsResult.Fail(Path + "ApplicationRoleName must differ from " + Path + "DefaultRoleName (the owner role).")
            : ValidateOptionsResult.Success;
}
