using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Neon's prices, bound from <c>NeonTenancy:Usage:Prices</c>. Prices change: set them to your contract's. The defaults
/// are Neon's public list prices of the <b>Launch</b> plan as published on neon.com/docs/introduction/plans (page dated
/// 2026-03-20; the same rates in its 2026-11-12 revision) and neon.com/docs/introduction/usage-calculations. For the
/// <b>Scale</b> plan set <see cref="ComputePerCuHour"/> to 0.222 and <see cref="IncludedBranchesPerProject"/> to 25.
/// </summary>
/// <remarks>
/// Units follow Neon's billing: 1 GB = 10^9 bytes (decimal), a billing month = 744 hours (31 x 24) for byte-hour and
/// branch-hour conversions, compute in CU-hours (compute units x hours).
/// </remarks>
public sealed class NeonPriceOptions
{
    private const string Path = NeonTenancySections.UsagePath + ":Prices:";

    /// <summary>The currency of every price. Default <c>USD</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = Path + "Currency is required.")]
    public string Currency { get; set; } = "USD";

    /// <summary>Compute, per CU-hour. Default 0.106 (Launch, 2026-03-20; Scale: 0.222).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "ComputePerCuHour must not be negative.")]
    public decimal ComputePerCuHour { get; set; } = 0.106m;

    /// <summary>Storage (root and child branches), per GB-month. Default 0.35 (Launch and Scale, 2026-03-20).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "StoragePerGBMonth must not be negative.")]
    public decimal StoragePerGBMonth { get; set; } = 0.35m;

    /// <summary>Instant restore (point-in-time history of root branches), per GB-month. Default 0.20 (2026-03-20).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "InstantRestorePerGBMonth must not be negative.")]
    public decimal InstantRestorePerGBMonth { get; set; } = 0.20m;

    /// <summary>Snapshot storage, per GB-month. Default 0.09 (usage-calculations page, 2026-05-28).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "SnapshotPerGBMonth must not be negative.")]
    public decimal SnapshotPerGBMonth { get; set; } = 0.09m;

    /// <summary>Public network transfer beyond <see cref="IncludedPublicTransferGB"/>, per GB. Default 0.10 (2026-03-20).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "PublicTransferPerGB must not be negative.")]
    public decimal PublicTransferPerGB { get; set; } = 0.10m;

    /// <summary>Public network transfer included per month for the whole organization (not per project), in GB. Default 100.</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "IncludedPublicTransferGB must not be negative.")]
    public decimal IncludedPublicTransferGB { get; set; } = 100m;

    /// <summary>Private network transfer, per GB (Scale plan). Default 0.01 (2026-03-20).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "PrivateTransferPerGB must not be negative.")]
    public decimal PrivateTransferPerGB { get; set; } = 0.01m;

    /// <summary>Each child branch beyond the plan's allowance, per branch-month. Default 1.50 (2026-03-20).</summary>
    [NumberRange(0d, double.MaxValue, ErrorMessage = Path + "ExtraBranchPerMonth must not be negative.")]
    public decimal ExtraBranchPerMonth { get; set; } = 1.50m;

    /// <summary>Branches included per project, the root branch among them. Default 10 (Launch; Scale: 25).</summary>
    [NumberRange(1, int.MaxValue, ErrorMessage = Path + "IncludedBranchesPerProject must be at least 1 (the root branch).")]
    public int IncludedBranchesPerProject { get; set; } = 10;
}
