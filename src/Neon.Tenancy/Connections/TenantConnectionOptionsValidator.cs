using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of single settings of <see cref="TenantConnectionOptions"/>, declared once as data annotations on the
/// options and checked by this source-generated validator (no reflection). Each message names the full setting.
/// </summary>
[OptionsValidator]
internal sealed partial class TenantConnectionOptionsValidator : IValidateOptions<TenantConnectionOptions>;

/// <summary>The rules of <see cref="TenantConnectionOptions"/> across settings, each message naming the settings.</summary>
internal sealed class TenantConnectionOptionsCrossFieldValidator : IValidateOptions<TenantConnectionOptions>
{
    private const string Path = NeonTenancySections.ConnectionsPath + ":";

    public ValidateOptionsResult Validate(string? name, TenantConnectionOptions options)
    {
        var failures = new List<string>();
        if (options.ConnectionIdleLifetime + TenantDataSourceBuilder.PruningInterval(options) >= options.SuspendTimeout)
        {
            failures.Add(Path + "ConnectionIdleLifetime plus its pruning interval (min(10 s, ConnectionIdleLifetime)) must be shorter than " + Path + "SuspendTimeout, so idle connections close before a compute suspends.");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add(Path + "RetryMaxDelay must be at least " + Path + "RetryBaseDelay.");
        }

        if (options.FirstOpenDeadline < options.OpenDeadline)
        {
            failures.Add(Path + "FirstOpenDeadline must be at least " + Path + "OpenDeadline.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
