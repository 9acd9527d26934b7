using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>Rules of <see cref="UsageOptions"/>, each message naming the setting.</summary>
internal sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    private const string Prefix = "NeonTenancy:Usage:";

    public ValidateOptionsResult Validate(string? name, UsageOptions options)
    {
        var failures = new List<string>();
        if (options.HistoryCacheDuration < TimeSpan.Zero || options.HistoryCacheDuration > TimeSpan.FromDays(1))
        {
            failures.Add(Prefix + "HistoryCacheDuration must be between 0 (no cache) and 1 day.");
        }

        if (!(options.ThresholdPercent > 0 && options.ThresholdPercent < 100))
        {
            failures.Add(Prefix + "ThresholdPercent must be greater than 0 and less than 100.");
        }

        if (options.MaxConcurrency is < 1 or > 64)
        {
            failures.Add(Prefix + "MaxConcurrency must be between 1 and 64.");
        }

        if (options.Prices is not { } prices)
        {
            failures.Add(Prefix + "Prices is required.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(prices.Currency))
            {
                failures.Add(Prefix + "Prices:Currency is required.");
            }

            NotNegative(failures, prices.ComputePerCuHour, "ComputePerCuHour");
            NotNegative(failures, prices.StoragePerGBMonth, "StoragePerGBMonth");
            NotNegative(failures, prices.InstantRestorePerGBMonth, "InstantRestorePerGBMonth");
            NotNegative(failures, prices.SnapshotPerGBMonth, "SnapshotPerGBMonth");
            NotNegative(failures, prices.PublicTransferPerGB, "PublicTransferPerGB");
            NotNegative(failures, prices.IncludedPublicTransferGB, "IncludedPublicTransferGB");
            NotNegative(failures, prices.PrivateTransferPerGB, "PrivateTransferPerGB");
            NotNegative(failures, prices.ExtraBranchPerMonth, "ExtraBranchPerMonth");
            if (prices.IncludedBranchesPerProject < 1)
            {
                failures.Add(Prefix + "Prices:IncludedBranchesPerProject must be at least 1 (the root branch).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void NotNegative(List<string> failures, decimal value, string setting)
    {
        if (value < 0)
        {
            failures.Add(Prefix + "Prices:" + setting + " must not be negative.");
        }
    }
}
