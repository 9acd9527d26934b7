using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>Rules of <see cref="ConnectionFactoryOptions"/>: ranges and rules across fields, each message naming the setting.</summary>
internal sealed class ConnectionFactoryOptionsValidator : IValidateOptions<ConnectionFactoryOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionFactoryOptions options)
    {
        var failures = new List<string>();
        Check(failures, options.Capacity, 3, 1_000_000, "Capacity");
        Check(failures, options.ConnectionBudget, 0, 100_000, "ConnectionBudget"); // 0: no global budget
        Check(failures, options.MaxPoolSize, 1, 1000, "MaxPoolSize");
        Check(failures, options.IdleExpiry, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "IdleExpiry", "1 second and 1 day");
        Check(failures, options.BudgetWaitTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(5), "BudgetWaitTimeout", "0 and 5 minutes");
        Check(failures, options.ConnectTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), "ConnectTimeout", "1 second and 10 minutes");
        Check(failures, options.SuspendTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromDays(7), "SuspendTimeout", "10 seconds and 7 days");
        Check(failures, options.ConnectionIdleLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "ConnectionIdleLifetime", "1 second and 1 day");
        Check(failures, options.OpenDeadline, TimeSpan.Zero, TimeSpan.FromHours(1), "OpenDeadline", "0 and 1 hour");
        Check(failures, options.FirstOpenDeadline, TimeSpan.Zero, TimeSpan.FromHours(1), "FirstOpenDeadline", "0 and 1 hour");
        Check(failures, options.SlowOpenThreshold, TimeSpan.Zero, TimeSpan.FromHours(1), "SlowOpenThreshold", "0 and 1 hour");
        Check(failures, options.RetryBaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), "RetryBaseDelay", "1 ms and 1 minute");
        Check(failures, options.RetryMaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5), "RetryMaxDelay", "1 ms and 5 minutes");
        Check(failures, options.RetiredDataSourceGracePeriod, TimeSpan.Zero, TimeSpan.FromDays(1), "RetiredDataSourceGracePeriod", "0 and 1 day");
        if (!Enum.IsDefined(options.ConnectionRole))
        {
            failures.Add("NeonTenancy:Connections:ConnectionRole must be Automatic, Owner or Application.");
        }

        if (options.ConnectionIdleLifetime + TenantDataSourceBuilder.PruningInterval(options) >= options.SuspendTimeout)
        {
            failures.Add("NeonTenancy:Connections:ConnectionIdleLifetime plus its pruning interval (min(10 s, ConnectionIdleLifetime)) must be shorter than NeonTenancy:Connections:SuspendTimeout, so idle connections close before a compute suspends.");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("NeonTenancy:Connections:RetryMaxDelay must be at least NeonTenancy:Connections:RetryBaseDelay.");
        }

        if (options.FirstOpenDeadline < options.OpenDeadline)
        {
            failures.Add("NeonTenancy:Connections:FirstOpenDeadline must be at least NeonTenancy:Connections:OpenDeadline.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, int value, int min, int max, string setting)
    {
        if (value < min || value > max)
        {
            failures.Add($"NeonTenancy:Connections:{setting} must be between {min} and {max}.");
        }
    }

    private static void Check(List<string> failures, TimeSpan value, TimeSpan min, TimeSpan max, string setting, string range)
    {
        if (value < min || value > max)
        {
            failures.Add($"NeonTenancy:Connections:{setting} must be between {range}.");
        }
    }
}
