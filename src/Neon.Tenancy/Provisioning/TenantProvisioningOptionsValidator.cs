using System.Text;
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

    /// <summary>
    /// Names Neon accepts and PostgreSQL takes without surprises: 1 to 63 characters of a-z, A-Z, 0-9, '_' and '-',
    /// starting with a letter or '_'; role names must not start with <c>pg_</c> (reserved by PostgreSQL).
    /// </summary>
    internal static bool IsValidName(string? value, bool isRole)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 63 || !(char.IsAsciiLetter(value[0]) || value[0] == '_'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return !(isRole && value.StartsWith("pg_", StringComparison.OrdinalIgnoreCase));
    }

    private static void CheckName(List<string> failures, string? value, string setting, bool isRole)
    {
        if (!IsValidName(value, isRole))
        {
            var text = new StringBuilder(Section).Append(setting)
                .Append(" must be 1 to 63 characters of a-z, A-Z, 0-9, '_' and '-', starting with a letter or '_'");
            if (isRole)
            {
                text.Append(", and must not start with 'pg_'");
            }

            failures.Add(text.Append('.').ToString());
        }
    }
}
