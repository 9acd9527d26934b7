using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>Attribute rules of <see cref="NeonTenancyOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class NeonTenancyOptionsAttributeValidator : IValidateOptions<NeonTenancyOptions>;

/// <summary>Rules of <see cref="NeonTenancyOptions"/> across fields. Messages name the setting, never a key.</summary>
internal sealed class NeonTenancyOptionsValidator : IValidateOptions<NeonTenancyOptions>
{
    public ValidateOptionsResult Validate(string? name, NeonTenancyOptions options)
    {
        var failures = new List<string>();
        if (options.ProjectNamePrefix is null || !TenantProjectNames.IsValidPrefix(options.ProjectNamePrefix))
        {
            failures.Add("NeonTenancy:ProjectNamePrefix must be at most 24 characters of a-z, 0-9 and '-', start with a letter and not contain '--' (it may be empty).");
        }

        if (options.Secrets is not null)
        {
            failures.AddRange(ConnectionSecretKeyRing.Validate(options.Secrets));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
