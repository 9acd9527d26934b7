using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="IUsageClient"/> and <see cref="NeonCostCalculator"/>, bound from the <c>NeonTenancy:Usage</c>
/// configuration section and validated at start (a bad value fails the host start with a message naming the setting).
/// </summary>
public sealed class TenantUsageOptions
{
    // Each rule is declared once, here, and checked by the generated TenantUsageOptionsValidator.
    private const string Path = NeonTenancySections.UsagePath + ":";

    /// <summary>
    /// How long an answer of <see cref="IUsageClient.GetHistoryAsync"/> is reused for the same request (same tenants and
    /// projects, window, granularity and metrics), so repeated reads do not spend the consumption rate budget. Default
    /// 15 minutes (Neon refreshes consumption data about that often); <see cref="TimeSpan.Zero"/> turns the cache off
    /// (identical reads made at the same time still share one read); at most 1 day.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = Path + "HistoryCacheDuration must be between {1} (no cache) and {2}.")]
    public TimeSpan HistoryCacheDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The share of a plan limit, in percent, at which <see cref="IUsageThresholdObserver"/>s hear that a tenant is
    /// approaching the limit. Default 80; greater than 0 and less than 100 (reaching 100 % is reported separately).
    /// </summary>
    [NumberRange(0d, 100d, MinimumIsExclusive = true, MaximumIsExclusive = true, ErrorMessage = Path + "ThresholdPercent must be greater than {1} and less than {2}.")]
    public double ThresholdPercent { get; set; } = 80;

    /// <summary>How many tenants' counters fleet-wide reads fetch at once. Default 4; 1 to 64.</summary>
    [NumberRange(1, 64, ErrorMessage = Path + "MaxConcurrency must be between {1} and {2}.")]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>The prices <see cref="NeonCostCalculator"/> uses (<c>NeonTenancy:Usage:Prices</c>).</summary>
    [Required(ErrorMessage = Path + "Prices is required.")]
    [ValidateObjectMembers]
    public NeonPriceOptions Prices { get; set; } = new();
}
