using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Tests.Usage;

public sealed class NeonCostCalculatorTests
{
    private static readonly NeonCostCalculator Launch = new(new NeonPriceOptions());

    [Fact]
    public void EstimateScenario_ThousandQuarterCuTenantsBusinessHoursOneGB_MatchesHandComputation()
    {
        // 1,000 x 0.25 CU x 160 h = 40,000 CU-hours x $0.106 = $4,240; 1,000 x 1 GB-month x $0.35 = $350.
        var estimate = Launch.EstimateScenario(new CostScenario { Tenants = 1000, ComputeUnits = 0.25, Usage = UsagePattern.BusinessHours, StorageGB = 1 });

        Assert.Equal(40_000m, estimate.ComputeUnitHours);
        Assert.Equal(4_240m, estimate.ComputeCost);
        Assert.Equal(1_000m, estimate.StorageGBMonths);
        Assert.Equal(350m, estimate.StorageCost);
        Assert.Equal(4_590m, estimate.Total);
        Assert.Equal("USD", estimate.Currency);
    }

    [Fact]
    public void EstimateWarmPool_PricesStorageOnly_ProjectsTimesGBAtTheStoragePrice()
    {
        // 200 projects x 0.05 GB = 10 GB-month x $0.35 = $3.50; a suspended pool runs no compute.
        var estimate = Launch.EstimateWarmPool(200, 0.05);

        Assert.Equal(10m, estimate.StorageGBMonths);
        Assert.Equal(3.5m, estimate.StorageCost);
        Assert.Equal(0m, estimate.ComputeUnitHours);
        Assert.Equal(0m, estimate.ComputeCost);
        Assert.Equal(3.5m, estimate.Total);
        Assert.Equal(0m, Launch.EstimateWarmPool(0, 0.05).Total);
        Assert.Throws<ArgumentOutOfRangeException>(() => Launch.EstimateWarmPool(-1, 0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => Launch.EstimateWarmPool(10, -0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => Launch.EstimateWarmPool(10, double.NaN));
    }

    public static TheoryData<int, double, double, double, double, decimal> Scenarios => new()
    {
        // tenants, CU, hours, storage GB, public transfer GB per tenant, expected total
        // 10 x 1 x 730 = 7,300 CU-h x 0.106 = 773.80; 100 GB-month x 0.35 = 35; 200 GB transfer - 100 included = 100 x 0.10 = 10.
        { 10, 1, 730, 10, 20, 818.80m },
        // 1 x 2 x 5 = 10 CU-h = 1.06; 100 GB = 35; 50 GB transfer inside the allowance = 0.
        { 1, 2, 5, 100, 50, 36.06m },
        // 500 x 0.5 x 100 (custom) = 25,000 CU-h = 2,650; 500 x 2.5 GB = 1,250 GB-month = 437.50.
        { 500, 0.5, 100, 2.5, 0, 3_087.50m },
        { 0, 1, 730, 10, 20, 0m },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void EstimateScenario_HandComputedExamples(int tenants, double cu, double hours, double storageGB, double transferGB, decimal expected)
    {
        var estimate = Launch.EstimateScenario(new CostScenario
        {
            Tenants = tenants,
            ComputeUnits = cu,
            Usage = UsagePattern.Custom(hours),
            StorageGB = storageGB,
            PublicTransferGB = transferGB,
        });

        Assert.Equal(expected, estimate.Total);
    }

    [Fact]
    public void UsagePatterns_AreTheCalculatorsHours()
    {
        Assert.Equal(5, UsagePattern.Testing.ActiveHoursPerMonth);
        Assert.Equal(160, UsagePattern.BusinessHours.ActiveHoursPerMonth);
        Assert.Equal(730, UsagePattern.AlwaysOn.ActiveHoursPerMonth);
        Assert.Throws<ArgumentOutOfRangeException>(() => UsagePattern.Custom(745));
    }

    [Fact]
    public void EstimateScenario_ScalePrices_UseTheOptions()
    {
        var scale = new NeonCostCalculator(new NeonPriceOptions { ComputePerCuHour = 0.222m, IncludedBranchesPerProject = 25 });

        var estimate = scale.EstimateScenario(new CostScenario { Tenants = 1, ComputeUnits = 1, Usage = UsagePattern.AlwaysOn, StorageGB = 0 });

        Assert.Equal(162.06m, estimate.Total);
    }

    [Theory]
    [InlineData(-1, 1, 1)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 57, 1)]
    [InlineData(1, 1, -1)]
    public void EstimateScenario_OutOfRange_Throws(int tenants, double cu, double storage)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Launch.EstimateScenario(new CostScenario
        {
            Tenants = tenants,
            ComputeUnits = cu,
            Usage = UsagePattern.Testing,
            StorageGB = storage,
        }));
    }

    [Fact]
    public void EstimateMonthly_ExtrapolatesTheCurrentPeriod()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var usage = new TenantUsage
        {
            TenantId = TenantId.Parse("acme"),
            ProjectId = "p-1",
            PeriodStart = start,
            PeriodEnd = start.AddDays(30),
            ReadAt = start.AddDays(10),
            ComputeTime = TimeSpan.FromHours(10),
            StorageByteHours = 240L * 1_000_000_000, // 1 GB held for the 240 hours so far
            TransferBytes = 2_000_000_000,
        };

        var estimate = Launch.EstimateMonthly(usage);

        // A third of the period elapsed: x3. 30 CU-h; 720e9 byte-hours / 744 / 1e9 GB-months; 6 GB, no allowance per tenant.
        Assert.Equal(30m, estimate.ComputeUnitHours);
        Assert.Equal(3.18m, estimate.ComputeCost);
        Assert.Equal(720m / 744m, estimate.StorageGBMonths, 20);
        Assert.Equal(6m, estimate.PublicTransferGB);
        Assert.Equal(0.6m, estimate.PublicTransferCost);
    }

    [Fact]
    public void EstimateMonthly_Fleet_AppliesTheIncludedTransferOnce()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        TenantUsage Usage(string id) => new()
        {
            TenantId = TenantId.Parse(id),
            ProjectId = "p-" + id,
            PeriodStart = start,
            PeriodEnd = start.AddDays(30),
            ReadAt = start.AddDays(30),
            ComputeTime = TimeSpan.FromHours(100),
            TransferBytes = 80_000_000_000,
        };
        var tenants = new[] { Usage("b"), Usage("a") };

        var fleet = Launch.EstimateMonthly(new FleetUsage(tenants, UsageTotals.Sum(tenants), [], new Dictionary<TenantId, string>()));

        Assert.Equal(["a", "b"], fleet.Tenants.Select(t => t.TenantId.Value));
        Assert.All(fleet.Tenants, t => Assert.Equal(10.6m + 8m, t.Estimate.Total));
        // 200 CU-h = 21.20; 160 GB transfer - 100 included = 60 GB = 6.00.
        Assert.Equal(27.2m, fleet.Total.Total);
    }

    [Fact]
    public void EstimateHistory_UsesNeonsConversionsAndBranchAllowance()
    {
        var day = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
        var values = new UsageValues
        {
            ComputeTime = TimeSpan.FromSeconds(500_000),
            RootBranchByteHours = 2_500_000_000_000,
            BranchHours = 288,
        };
        var history = new UsageHistory(day, day.AddDays(1), UsageGranularity.Daily, UsageHistoryRequest.DefaultMetrics,
            [new TenantUsageHistory(TenantId.Parse("acme"), "p-1", [new UsageTimeframe(day, day.AddDays(1), values)])], []);

        var fleet = Launch.EstimateHistory(history);

        // Neon's worked examples: 500,000 CU-s = 138.89 CU-h; 2.5e12 byte-hours = 3.36 GB-months; 12 child branches
        // for a day on Launch: 288 - 9 x 24 = 72 billable branch-hours = 0.0968 branch-months.
        var estimate = Assert.Single(fleet.Tenants).Estimate;
        Assert.Equal(138.89m, Math.Round(estimate.ComputeUnitHours, 2));
        Assert.Equal(3.36m, Math.Round(estimate.StorageGBMonths, 2));
        Assert.Equal(72m / 744m, estimate.ExtraBranchMonths, 20);
        Assert.Equal(0.15m, Math.Round(estimate.ExtraBranchesCost, 2));
        Assert.Equal(estimate.Total, fleet.Total.Total);
    }

    [Fact]
    public async Task AddNeonTenancy_BindsPricesAndRejectsBadUsageSettingsAtStart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["NeonTenancy:Secrets:CurrentKeyId"] = "k1",
            ["NeonTenancy:Secrets:Keys:k1"] = SecretsTestData.NewKey(),
            ["NeonTenancy:Api:ApiKey"] = "napi_test",
            ["NeonTenancy:Usage:Prices:ComputePerCuHour"] = "0.222",
            ["NeonTenancy:Usage:HistoryCacheDuration"] = "00:05:00",
        };
        using (var good = BuildHost(settings))
        {
            await good.StartAsync();
            Assert.Equal(0.222m, good.Services.GetRequiredService<NeonCostCalculator>().Prices.ComputePerCuHour);
            Assert.Equal(TimeSpan.FromMinutes(5), good.Services.GetRequiredService<IOptions<TenantUsageOptions>>().Value.HistoryCacheDuration);
            await good.StopAsync();
        }

        settings["NeonTenancy:Usage:ThresholdPercent"] = "100";
        settings["NeonTenancy:Usage:Prices:StoragePerGBMonth"] = "-1";
        using var bad = BuildHost(settings);

        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => bad.StartAsync());

        Assert.Contains("NeonTenancy:Usage:ThresholdPercent", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NeonTenancy:Usage:Prices:StoragePerGBMonth", ex.Message, StringComparison.Ordinal);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNeonTenancy(builder.Configuration.GetSection(NeonTenancyOptions.SectionName)).UseInMemoryCatalog();
        return builder.Build();
    }
}
