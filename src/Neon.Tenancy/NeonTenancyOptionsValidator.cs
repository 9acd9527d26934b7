using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of single settings of <see cref="NeonTenancyOptions"/> and its <see cref="TenantSecretOptions"/>,
/// declared once as data annotations on the options and checked by this source-generated validator (no reflection).
/// </summary>
[OptionsValidator]
internal sealed partial class NeonTenancyOptionsValidator : IValidateOptions<NeonTenancyOptions>;

/// <summary>The key ring's rules across its settings (every key decodes, the current key is listed). Messages name the setting, never a key.</summary>
internal sealed class NeonTenancyOptionsCrossFieldValidator : IValidateOptions<NeonTenancyOptions>
{
    public ValidateOptionsResult Validate(string? name, NeonTenancyOptions options) =>
        options.Secrets is not null && ConnectionSecretKeyRing.Validate(options.Secrets) is { Count: > 0 } failures
            ? ValidateOptionsResult.Fail(failures)
            : ValidateOptionsResult.Success;
}
