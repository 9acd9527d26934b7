using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Tests.Plans;

public sealed class TenantPlanOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(Action<TenantPlan> configure, string name = "pro")
    {
        var options = new TenantPlanOptions { DefaultPlan = name };
        var plan = new TenantPlan();
        configure(plan);
        options.Plans[name] = plan;
        return new TenantPlanOptionsValidator().Validate(null, options);
    }

    private static void AssertFails(ValidateOptionsResult result, string setting, string fragment)
    {
        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(setting, failure, StringComparison.Ordinal);
        Assert.Contains(fragment, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FullValidPlan_Succeeds()
    {
        var result = Validate(p =>
        {
            p.ComputeHours = 100;
            p.ActiveHours = 750;
            p.WrittenGB = 10;
            p.TransferGB = 5;
            p.StorageGB = 0.5;
            p.MinComputeUnits = 0.25;
            p.MaxComputeUnits = 4;
            p.SuspendTimeout = TimeSpan.FromMinutes(5);
            p.HistoryRetention = TimeSpan.FromDays(7);
            p.MaxPoolSize = 50;
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_NoPlansAtAll_SucceedsWithTheImplicitDefault()
    {
        Assert.True(new TenantPlanOptionsValidator().Validate(null, new TenantPlanOptions()).Succeeded);
    }

    [Fact]
    public void Validate_DefaultPlanNotConfigured_NamesDefaultPlan()
    {
        var options = new TenantPlanOptions { DefaultPlan = "free" };
        options.Plans["pro"] = new TenantPlan();

        var result = new TenantPlanOptionsValidator().Validate(null, options);

        AssertFails(result, "NeonTenancy:Plans:DefaultPlan 'free'", "is not one of the plans");
    }

    [Fact]
    public void Validate_EmptyDefaultPlan_NamesDefaultPlan()
    {
        var result = new TenantPlanOptionsValidator().Validate(null, new TenantPlanOptions { DefaultPlan = " " });

        AssertFails(result, "NeonTenancy:Plans:DefaultPlan", "is required");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/plan")]
    [InlineData("ünïcode")]
    public void Validate_BadPlanName_NamesThePlan(string name)
    {
        var options = new TenantPlanOptions { DefaultPlan = "ok" };
        options.Plans["ok"] = new TenantPlan();
        options.Plans[name] = new TenantPlan();

        var result = new TenantPlanOptionsValidator().Validate(null, options);

        AssertFails(result, $"plan named '{name}'", "letters, digits");
    }

    [Fact]
    public void Validate_PlanNameTooLong_Fails()
    {
        var name = new string('p', TenantPlanOptionsValidator.MaxPlanNameLength + 1);

        AssertFails(Validate(_ => { }, name), $"plan named '{name}'", "1 to 64 characters");
    }

    [Theory]
    [InlineData(nameof(TenantPlan.ComputeHours))]
    [InlineData(nameof(TenantPlan.ActiveHours))]
    [InlineData(nameof(TenantPlan.WrittenGB))]
    [InlineData(nameof(TenantPlan.TransferGB))]
    [InlineData(nameof(TenantPlan.StorageGB))]
    public void Validate_ZeroQuota_SaysZeroMeansUnlimited(string setting)
    {
        var result = Validate(p => typeof(TenantPlan).GetProperty(setting)!.SetValue(p, 0.0));

        AssertFails(result, $"NeonTenancy:Plans:Plans:pro:{setting}", "0 means unlimited in Neon");
    }

    [Fact]
    public void Validate_NegativeOrNaNQuota_Fails()
    {
        AssertFails(Validate(p => p.ComputeHours = -1), "NeonTenancy:Plans:Plans:pro:ComputeHours", "greater than 0");
        AssertFails(Validate(p => p.WrittenGB = double.NaN), "NeonTenancy:Plans:Plans:pro:WrittenGB", "greater than 0");
    }

    [Fact]
    public void Validate_QuotaBelowOneUnitAfterConversion_Fails()
    {
        // 0.0001 h = 0.36 s: rounded to 0 it would silently mean unlimited.
        AssertFails(Validate(p => p.ActiveHours = 0.0001), "NeonTenancy:Plans:Plans:pro:ActiveHours", "less than one second");
    }

    [Fact]
    public void Validate_HugeQuota_Fails()
    {
        AssertFails(Validate(p => p.StorageGB = 1e12), "NeonTenancy:Plans:Plans:pro:StorageGB", "at most");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.75)]
    [InlineData(1.5)]
    [InlineData(57)]
    [InlineData(0)]
    public void Validate_ComputeSizeNeonDoesNotAccept_Fails(double cu)
    {
        AssertFails(Validate(p => { p.MinComputeUnits = 0.25; p.MaxComputeUnits = cu; }), "NeonTenancy:Plans:Plans:pro:MaxComputeUnits", "not a compute size Neon accepts");
    }

    [Theory]
    [InlineData(0.25, 0.25)]
    [InlineData(0.5, 8)]
    [InlineData(0.25, 8)]
    [InlineData(8, 16)]
    [InlineData(56, 56)]
    [InlineData(24, 24)]
    public void Validate_ComputeSizesNeonAccepts_Succeed(double min, double max)
    {
        Assert.True(Validate(p => { p.MinComputeUnits = min; p.MaxComputeUnits = max; }).Succeeded);
    }

    [Fact]
    public void Validate_MinAboveMax_NamesBoth()
    {
        AssertFails(Validate(p => { p.MinComputeUnits = 4; p.MaxComputeUnits = 2; }), "NeonTenancy:Plans:Plans:pro:MinComputeUnits (4) must not exceed NeonTenancy:Plans:Plans:pro:MaxComputeUnits (2)", ".");
    }

    [Fact]
    public void Validate_AutoscalingRangeOver8_Fails()
    {
        AssertFails(Validate(p => { p.MinComputeUnits = 0.5; p.MaxComputeUnits = 9; }), "NeonTenancy:Plans:Plans:pro:MaxComputeUnits", "at most 8 CU");
    }

    [Fact]
    public void Validate_AutoscalingAbove16_Fails()
    {
        AssertFails(Validate(p => { p.MinComputeUnits = 16; p.MaxComputeUnits = 20; }), "NeonTenancy:Plans:Plans:pro:MaxComputeUnits", "autoscales up to 16");
    }

    [Fact]
    public void Validate_OnlyOneComputeBound_Fails()
    {
        AssertFails(Validate(p => p.MaxComputeUnits = 2), "NeonTenancy:Plans:Plans:pro:MinComputeUnits", "set both");
    }

    [Theory]
    [InlineData(59)]
    [InlineData(604801)]
    [InlineData(0)]
    public void Validate_SuspendTimeoutOutOfRange_Fails(int seconds)
    {
        AssertFails(Validate(p => p.SuspendTimeout = TimeSpan.FromSeconds(seconds)), "NeonTenancy:Plans:Plans:pro:SuspendTimeout", "60 seconds to 7 days");
    }

    [Fact]
    public void Validate_SuspendTimeoutFractionalSeconds_Fails()
    {
        AssertFails(Validate(p => p.SuspendTimeout = TimeSpan.FromSeconds(60.5)), "NeonTenancy:Plans:Plans:pro:SuspendTimeout", "whole seconds");
    }

    [Fact]
    public void Validate_SuspendTimeoutInfiniteOrBounds_Succeed()
    {
        Assert.True(Validate(p => p.SuspendTimeout = Timeout.InfiniteTimeSpan).Succeeded);
        Assert.True(Validate(p => p.SuspendTimeout = TimeSpan.FromSeconds(60)).Succeeded);
        Assert.True(Validate(p => p.SuspendTimeout = TimeSpan.FromDays(7)).Succeeded);
    }

    [Fact]
    public void Validate_HistoryRetention_BoundsAndWholeSeconds()
    {
        Assert.True(Validate(p => p.HistoryRetention = TimeSpan.Zero).Succeeded);
        Assert.True(Validate(p => p.HistoryRetention = TimeSpan.FromDays(30)).Succeeded);
        AssertFails(Validate(p => p.HistoryRetention = TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1)), "NeonTenancy:Plans:Plans:pro:HistoryRetention", "0 to 30 days");
        AssertFails(Validate(p => p.HistoryRetention = TimeSpan.FromSeconds(-1)), "NeonTenancy:Plans:Plans:pro:HistoryRetention", "0 to 30 days");
        AssertFails(Validate(p => p.HistoryRetention = TimeSpan.FromMilliseconds(1500)), "NeonTenancy:Plans:Plans:pro:HistoryRetention", "whole seconds");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void Validate_MaxPoolSizeOutOfRange_Fails(int size)
    {
        AssertFails(Validate(p => p.MaxPoolSize = size), "NeonTenancy:Plans:Plans:pro:MaxPoolSize", "from 1 to 1000");
    }

    [Fact]
    public void Validate_CheckpointInterval_AtLeastOneHour()
    {
        Assert.True(Validate(p => p.CheckpointInterval = TimeSpan.FromHours(1)).Succeeded);
        Assert.True(Validate(p => p.CheckpointInterval = TimeSpan.FromDays(7)).Succeeded);
        AssertFails(Validate(p => p.CheckpointInterval = TimeSpan.FromMinutes(59)), "NeonTenancy:Plans:Plans:pro:CheckpointInterval (00:59:00)", "at least 01:00:00");
        AssertFails(Validate(p => p.CheckpointInterval = TimeSpan.Zero), "NeonTenancy:Plans:Plans:pro:CheckpointInterval", "at least 01:00:00");
        AssertFails(Validate(p => p.CheckpointInterval = TimeSpan.FromHours(-2)), "NeonTenancy:Plans:Plans:pro:CheckpointInterval", "at least 01:00:00");
    }

    [Fact]
    public void Validate_UseNeonBackupSchedule_NeedsAnHourlyDailyOrWeeklyInterval_AndAnHourOfRetention()
    {
        Assert.True(Validate(p => (p.CheckpointInterval, p.UseNeonBackupSchedule) = (TimeSpan.FromHours(1), true)).Succeeded);
        Assert.True(Validate(p => (p.CheckpointInterval, p.UseNeonBackupSchedule) = (TimeSpan.FromDays(1), true)).Succeeded);
        Assert.True(Validate(p => (p.CheckpointInterval, p.UseNeonBackupSchedule, p.CheckpointRetention) = (TimeSpan.FromDays(7), true, TimeSpan.FromDays(30))).Succeeded);
        AssertFails(Validate(p => (p.CheckpointInterval, p.UseNeonBackupSchedule) = (TimeSpan.FromHours(2), true)), "NeonTenancy:Plans:Plans:pro:UseNeonBackupSchedule", "01:00:00, 1.00:00:00 or 7.00:00:00");
        AssertFails(Validate(p => p.UseNeonBackupSchedule = true), "NeonTenancy:Plans:Plans:pro:UseNeonBackupSchedule", "CheckpointInterval");
        AssertFails(Validate(p => (p.CheckpointInterval, p.UseNeonBackupSchedule, p.CheckpointRetention) = (TimeSpan.FromHours(1), true, TimeSpan.FromMinutes(30))),
            "NeonTenancy:Plans:Plans:pro:CheckpointRetention (00:30:00)", "at least 01:00:00 with UseNeonBackupSchedule");
    }

    [Fact]
    public void AddNeonTenancy_BadPlanInConfiguration_FailsAtStartNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Infrastructure.TenancyTestHost.Settings("", new Dictionary<string, string?>
        {
            ["Plans:DefaultPlan"] = "free",
            ["Plans:Plans:free:ComputeHours"] = "5",
            ["Plans:Plans:pro:MinComputeUnits"] = "2",
            ["Plans:Plans:pro:MaxComputeUnits"] = "1",
        })).Build();
        var services = new ServiceCollection();
        services.AddNeonTenancy(configuration).UseInMemoryCatalog();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TenantPlanOptions>>().Value);

        Assert.Contains("NeonTenancy:Plans:Plans:pro:MinComputeUnits (2) must not exceed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddNeonTenancy_PlansFromConfiguration_BindAndResolve()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Infrastructure.TenancyTestHost.Settings("", new Dictionary<string, string?>
        {
            ["Plans:DefaultPlan"] = "free",
            ["Plans:Plans:free:ComputeHours"] = "5",
            ["Plans:Plans:free:SuspendTimeout"] = "00:05:00",
            ["Plans:Plans:Pro:MaxPoolSize"] = "40",
        })).Build();
        var services = new ServiceCollection();
        services.AddNeonTenancy(configuration).UseInMemoryCatalog();
        await using var provider = services.BuildServiceProvider();

        var plans = provider.GetRequiredService<IPlanLimits>();

        Assert.Equal("free", plans.DefaultPlan);
        Assert.Equal(["free", "Pro"], plans.PlanNames);
        Assert.Equal(5 * 3600, plans.GetSettings("FREE").ComputeTimeSecondsQuota);
        Assert.Equal(TimeSpan.FromMinutes(5), plans.GetSettings("free").SuspendTimeout);
        Assert.Equal(40, plans.GetSettings("pro").MaxPoolSize);
        Assert.Equal("gold", Assert.Throws<UnknownPlanException>(() => plans.GetSettings("gold")).Plan);
    }
}
