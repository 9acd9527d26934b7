using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>Rules of <see cref="TenantProvisioningOptions"/>; each message names the setting.</summary>
internal sealed class TenantProvisioningOptionsValidator : IValidateOptions<TenantProvisioningOptions>
{
    private const string Section = "NeonTenancy:Provisioning:";

    public ValidateOptionsResult Validate(string? name, TenantProvisioningOptions options)
    {
        var failures = new List<string>();
        CheckName(failures, options.DefaultDatabaseName, "DefaultDatabaseName", isRole: false);
        CheckName(failures, options.DefaultRoleName, "DefaultRoleName", isRole: true);
        if (options.ApplicationRoleName is not null)
        {
            CheckName(failures, options.ApplicationRoleName, "ApplicationRoleName", isRole: true);
            if (string.Equals(options.ApplicationRoleName, options.DefaultRoleName, StringComparison.Ordinal))
            {
                failures.Add(Section + "ApplicationRoleName must differ from " + Section + "DefaultRoleName (the owner role).");
            }
        }

        if (options.SslMode is { } sslMode && !Enum.IsDefined(sslMode))
        {
            failures.Add(Section + "SslMode must be one of Disable, Allow, Prefer, Require, VerifyCA, VerifyFull (or unset).");
        }

        if (options.OperationTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add(Section + "OperationTimeout must be greater than zero when set.");
        }

        if (options.RecoveryWindow <= TimeSpan.Zero)
        {
            failures.Add(Section + "RecoveryWindow must be greater than zero.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Whether a name passes <see cref="TenantRequestRules"/> (the same rules a request's names follow).</summary>
    internal static bool IsValidName(string? value, bool isRole) =>
        (isRole ? TenantRequestRules.RoleNameProblem(value) : TenantRequestRules.DatabaseNameProblem(value)) is null;

    private static void CheckName(List<string> failures, string? value, string setting, bool isRole)
    {
        if ((isRole ? TenantRequestRules.RoleNameProblem(value) : TenantRequestRules.DatabaseNameProblem(value)) is { } problem)
        {
            failures.Add(Section + setting + " " + problem);
        }
    }
}
