namespace Neon.Tenancy;

/// <summary>
/// Neon's cost arithmetic as an API: what-if estimates like Neon's pricing calculator, and monthly estimates per tenant
/// and for the fleet from actual usage. Pure: no I/O, no clock; thread-safe. Registered by <c>AddNeonTenancy()</c> with
/// the prices of <c>NeonTenancy:Usage:Prices</c>.
/// </summary>
/// <remarks>
/// Units follow Neon's billing (neon.com/docs/introduction/usage-calculations): CU-hours = active hours x compute
/// units; 1 GB = 10^9 bytes; byte-hours and branch-hours convert to months over 744 hours; the included public transfer
/// is organization-wide; each project's first <see cref="NeonPriceOptions.IncludedBranchesPerProject"/> branches (the root
/// among them) are free. Costs are not rounded.
/// </remarks>
public sealed class NeonCostCalculator
{
    /// <summary>Neon bills decimal gigabytes.</summary>
    private const decimal BytesPerGB = NeonUnits.BytesPerGB;

    /// <summary>Neon's billing month for byte-hour and branch-hour conversions: 31 x 24 hours.</summary>
    private const decimal HoursPerBillingMonth = 744m;

    /// <summary>Creates a calculator.</summary>
    /// <param name="prices">The prices.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prices"/> is null.</exception>
    public NeonCostCalculator(NeonPriceOptions prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        Prices = prices;
    }

    /// <summary>The prices used.</summary>
    public NeonPriceOptions Prices { get; }

    /// <summary>
    /// What a fleet would cost per month: tenants x compute units x active hours of compute, plus storage, instant
    /// restore and public transfer (beyond the included transfer) per tenant.
    /// </summary>
    /// <param name="scenario">The fleet.</param>
    /// <returns>The monthly estimate for the whole fleet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scenario"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number of the scenario is out of range (negative, or compute units not positive).</exception>
    public CostEstimate EstimateScenario(CostScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfNegative(scenario.Tenants, nameof(scenario.Tenants));
        if (!(scenario.ComputeUnits > 0 && scenario.ComputeUnits <= 56))
        {
            throw new ArgumentOutOfRangeException(nameof(scenario), scenario.ComputeUnits, "ComputeUnits must be greater than 0 and at most 56.");
        }

        UsagePattern.Check(scenario.Usage.ActiveHoursPerMonth);
        NotNegative(scenario.StorageGB, nameof(scenario.StorageGB));
        NotNegative(scenario.PublicTransferGB, nameof(scenario.PublicTransferGB));
        NotNegative(scenario.InstantRestoreGB, nameof(scenario.InstantRestoreGB));
        decimal tenants = scenario.Tenants;
        return Price(new Quantities
        {
            ComputeUnitHours = tenants * (decimal)scenario.ComputeUnits * (decimal)scenario.Usage.ActiveHoursPerMonth,
            StorageGBMonths = tenants * (decimal)scenario.StorageGB,
            InstantRestoreGBMonths = tenants * (decimal)scenario.InstantRestoreGB,
            PublicTransferGB = tenants * (decimal)scenario.PublicTransferGB,
        }, applyTransferAllowance: true);
    }

    /// <summary>
    /// What a warm pool of ready projects costs per month while it waits: its projects' storage at the storage price,
    /// and no compute (a pool project's compute is suspended between the replenisher's visits).
    /// </summary>
    /// <remarks>
    /// Left out: the compute of creating each project (its initialization and application role run on a woken
    /// compute, until it is suspended) and of each migration of the pool's projects, billed as any compute time;
    /// the instant-restore history of those changes; and the replacement of projects older than the pool's maximum age or claimed by sign-ups, each a
    /// creation. A project claimed becomes a tenant's and is billed as such from then on.
    /// </remarks>
    /// <param name="projects">How many ready projects the pools keep in all (sum over regions and plan classes).</param>
    /// <param name="storageGBPerProject">One idle project's storage in GB (an empty, freshly migrated database: tens of MB, so a few hundredths).</param>
    /// <returns>The monthly estimate: storage only.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="projects"/> or <paramref name="storageGBPerProject"/> is negative (or not a number).</exception>
    public CostEstimate EstimateWarmPool(int projects, double storageGBPerProject)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(projects);
        NotNegative(storageGBPerProject, nameof(storageGBPerProject));
        return Price(new Quantities { StorageGBMonths = projects * (decimal)storageGBPerProject }, applyTransferAllowance: false);
    }

    /// <summary>
    /// A tenant's cost for its whole current billing period, extrapolated linearly from the counters read so far
    /// (usage x period length / time elapsed, elapsed taken as at least 1 hour). Transfer (public and private, which the
    /// counters do not separate) is priced as public, in full.
    /// </summary>
    /// <param name="usage">The counters, from <see cref="IUsageClient.GetCurrentUsageAsync"/>.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="usage"/> is null.</exception>
    public CostEstimate EstimateMonthly(TenantUsage usage) => Price(Extrapolate(usage), applyTransferAllowance: false);

    /// <summary>
    /// <see cref="EstimateMonthly(TenantUsage)"/> for every tenant of a fleet read, and the fleet total with the
    /// included public transfer applied once.
    /// </summary>
    /// <param name="fleet">The fleet's counters, from <see cref="IUsageClient.GetFleetUsageAsync"/>.</param>
    /// <returns>Per tenant and total.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fleet"/> is null.</exception>
    public FleetCostEstimate EstimateMonthly(FleetUsage fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return Fleet(fleet.Tenants.Select(u => (u.TenantId, Extrapolate(u))));
    }

    /// <summary>
    /// The cost of a history window as read (no extrapolation), per tenant and for the fleet. Extra branches are
    /// charged per timeframe beyond the allowance, as Neon does per hour: use hourly granularity for an exact match.
    /// </summary>
    /// <param name="history">The history, from <see cref="IUsageClient.GetHistoryAsync"/>.</param>
    /// <returns>Per tenant and total.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    public FleetCostEstimate EstimateHistory(UsageHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var freeBranches = Math.Max(0, Prices.IncludedBranchesPerProject - 1);
        return Fleet(history.Tenants.Select(t =>
        {
            var q = new Quantities();
            foreach (var frame in t.Timeframes)
            {
                var v = frame.Values;
                var hours = (decimal)Math.Max(0, (frame.End - frame.Start).TotalHours);
                q.ComputeUnitHours += (decimal)(v.ComputeTime ?? TimeSpan.Zero).TotalHours;
                q.StorageGBMonths += ByteHoursToGBMonths((v.RootBranchByteHours ?? 0) + (v.ChildBranchByteHours ?? 0));
                q.InstantRestoreGBMonths += ByteHoursToGBMonths(v.InstantRestoreByteHours ?? 0);
                q.SnapshotGBMonths += ByteHoursToGBMonths(v.SnapshotByteHours ?? 0);
                q.PublicTransferGB += (v.PublicTransferBytes ?? 0) / BytesPerGB;
                q.PrivateTransferGB += (v.PrivateTransferBytes ?? 0) / BytesPerGB;
                q.ExtraBranchMonths += Math.Max(0m, (v.BranchHours ?? 0) - (freeBranches * hours)) / HoursPerBillingMonth;
            }

            return (t.TenantId, q);
        }));
    }

    private static decimal ByteHoursToGBMonths(decimal byteHours) => byteHours / HoursPerBillingMonth / BytesPerGB;

    private static Quantities Extrapolate(TenantUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var periodHours = (usage.PeriodEnd - usage.PeriodStart).TotalHours;
        if (periodHours <= 0)
        {
            periodHours = (double)HoursPerBillingMonth;
        }

        var elapsedHours = Math.Clamp((usage.ReadAt - usage.PeriodStart).TotalHours, 1, Math.Max(1, periodHours));
        var factor = (decimal)periodHours / (decimal)elapsedHours;
        return new Quantities
        {
            ComputeUnitHours = (decimal)usage.ComputeTime.TotalHours * factor,
            StorageGBMonths = ByteHoursToGBMonths(usage.StorageByteHours) * factor,
            PublicTransferGB = usage.TransferBytes / BytesPerGB * factor,
        };
    }

    private FleetCostEstimate Fleet(IEnumerable<(TenantId TenantId, Quantities Quantities)> tenants)
    {
        var list = tenants.OrderBy(t => t.TenantId).ToList();
        var total = new Quantities();
        foreach (var (_, q) in list)
        {
            total.Add(q);
        }

        return new FleetCostEstimate(
            [.. list.Select(t => new TenantCostEstimate(t.TenantId, Price(t.Quantities, applyTransferAllowance: false)))],
            Price(total, applyTransferAllowance: true));
    }

    private CostEstimate Price(Quantities q, bool applyTransferAllowance)
    {
        var billableTransfer = applyTransferAllowance ? Math.Max(0m, q.PublicTransferGB - Prices.IncludedPublicTransferGB) : q.PublicTransferGB;
        return new CostEstimate
        {
            Currency = Prices.Currency,
            ComputeUnitHours = q.ComputeUnitHours,
            StorageGBMonths = q.StorageGBMonths,
            InstantRestoreGBMonths = q.InstantRestoreGBMonths,
            SnapshotGBMonths = q.SnapshotGBMonths,
            PublicTransferGB = q.PublicTransferGB,
            PrivateTransferGB = q.PrivateTransferGB,
            ExtraBranchMonths = q.ExtraBranchMonths,
            ComputeCost = q.ComputeUnitHours * Prices.ComputePerCuHour,
            StorageCost = q.StorageGBMonths * Prices.StoragePerGBMonth,
            InstantRestoreCost = q.InstantRestoreGBMonths * Prices.InstantRestorePerGBMonth,
            SnapshotCost = q.SnapshotGBMonths * Prices.SnapshotPerGBMonth,
            PublicTransferCost = billableTransfer * Prices.PublicTransferPerGB,
            PrivateTransferCost = q.PrivateTransferGB * Prices.PrivateTransferPerGB,
            ExtraBranchesCost = q.ExtraBranchMonths * Prices.ExtraBranchPerMonth,
        };
    }

    private static void NotNegative(double value, string name)
    {
        if (!(value >= 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
        }
    }

    private sealed class Quantities
    {
        public decimal ComputeUnitHours { get; set; }

        public decimal StorageGBMonths { get; set; }

        public decimal InstantRestoreGBMonths { get; set; }

        public decimal SnapshotGBMonths { get; set; }

        public decimal PublicTransferGB { get; set; }

        public decimal PrivateTransferGB { get; set; }

        public decimal ExtraBranchMonths { get; set; }

        public void Add(Quantities other)
        {
            ComputeUnitHours += other.ComputeUnitHours;
            StorageGBMonths += other.StorageGBMonths;
            InstantRestoreGBMonths += other.InstantRestoreGBMonths;
            SnapshotGBMonths += other.SnapshotGBMonths;
            PublicTransferGB += other.PublicTransferGB;
            PrivateTransferGB += other.PrivateTransferGB;
            ExtraBranchMonths += other.ExtraBranchMonths;
        }
    }
}
