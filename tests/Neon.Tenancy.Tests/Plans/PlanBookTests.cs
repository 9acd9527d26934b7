using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Tests.Plans;

public sealed class PlanBookTests
{
    private static PlanBook Book(Action<TenantPlanOptions> configure)
    {
        var options = new TenantPlanOptions();
        configure(options);
        return new PlanBook(Options.Create(options));
    }

    [Fact]
    public void GetSettings_ConvertsUserUnitsToNeonUnits()
    {
        var book = Book(o =>
        {
            o.DefaultPlan = "pro";
            o.Plans["pro"] = new TenantPlan
            {
                ComputeHours = 2.5,          // 2.5 h * 3600 = 9000 CU-seconds
                ActiveHours = 100,           // 360000 s
                WrittenGB = 1.5,             // 1.5 * 10^9 = 1500000000 bytes
                TransferGB = 0.25,           // 250000000 bytes
                StorageGB = 3,               // 3000000000 bytes
                MinComputeUnits = 0.25,
                MaxComputeUnits = 2,
                SuspendTimeout = TimeSpan.FromMinutes(10),
                HistoryRetention = TimeSpan.FromDays(7),
                MaxPoolSize = 30,
            };
        });

        var settings = book.GetSettings("PRO");

        Assert.Equal(9000, settings.ComputeTimeSecondsQuota);
        Assert.Equal(360000, settings.ActiveTimeSecondsQuota);
        Assert.Equal(1_500_000_000, settings.WrittenDataBytesQuota);
        Assert.Equal(250_000_000, settings.DataTransferBytesQuota);
        Assert.Equal(3_000_000_000, settings.LogicalSizeBytesQuota);
        Assert.Equal(0.25, settings.AutoscalingMinCu);
        Assert.Equal(2, settings.AutoscalingMaxCu);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.SuspendTimeout);
        Assert.Equal(TimeSpan.FromDays(7), settings.HistoryRetention);
        Assert.Equal(30, settings.MaxPoolSize);
    }

    [Fact]
    public void NeonUnits_GBIsTenToTheNinthBytesAsNeonBills()
    {
        Assert.Equal(1_000_000_000, NeonUnits.BytesPerGB);
        Assert.Equal(0.5, NeonUnits.BytesToGB(500_000_000));
        Assert.Equal(1.5, NeonUnits.SecondsToHours(5400));
    }

    [Fact]
    public void GetSettings_UnknownPlan_Throws()
    {
        var book = Book(o => o.Plans["free"] = new TenantPlan());

        var error = Assert.Throws<UnknownPlanException>(() => book.GetSettings("gold"));

        Assert.Equal("gold", error.Plan);
        Assert.Contains("NeonTenancy:Plans:Plans", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSettings_NoPlansConfigured_EveryNameIsUnmanaged()
    {
        var book = Book(_ => { });

        var settings = book.GetSettings("anything");

        Assert.Equal(new TenantPlanSettings(), settings);
        Assert.Empty(book.PlanNames);
        Assert.Equal("free", book.DefaultPlan);
    }

    [Fact]
    public void GetRecordedSettings_PlanNoLongerConfigured_FallsBackToDefault()
    {
        var book = Book(o =>
        {
            o.Plans["free"] = new TenantPlan { ComputeHours = 1 };
        });

        Assert.Equal(3600, book.GetRecordedSettings("retired-plan").ComputeTimeSecondsQuota);
    }

    [Fact]
    public void GetCheckpointRetention_CarriesThePlansCheckpointSettings_HasCheckpointScheduleWhenAnyPlanHasAnInterval()
    {
        var book = Book(o =>
        {
            o.Plans["free"] = new TenantPlan { MaxCheckpoints = 1 };
            o.Plans["pro"] = new TenantPlan { MaxCheckpoints = 10, CheckpointRetention = TimeSpan.FromDays(7), CheckpointInterval = TimeSpan.FromHours(6) };
        });

        Assert.True(book.HasCheckpointSchedule);
        Assert.Equal(new CheckpointRetention(10, TimeSpan.FromDays(7), TimeSpan.FromHours(6)), book.GetCheckpointRetention("PRO"));
        Assert.Null(book.GetCheckpointRetention("free").Interval);
        Assert.Null(book.GetCheckpointRetention("retired-plan").Interval); // the default plan's
        Assert.False(Book(o => o.Plans["free"] = new TenantPlan { MaxCheckpoints = 1 }).HasCheckpointSchedule);
        Assert.False(Book(_ => { }).HasCheckpointSchedule);
    }

    [Fact]
    public void PoolLimits_PlanPoolSizeAndShortSuspend_TuneThePool()
    {
        var book = Book(o =>
        {
            o.Plans["free"] = new TenantPlan { SuspendTimeout = TimeSpan.FromSeconds(60), MaxPoolSize = 3 };
            o.Plans["pro"] = new TenantPlan { SuspendTimeout = Timeout.InfiniteTimeSpan };
        });
        var options = new TenantConnectionOptions { MaxPoolSize = 20, ConnectionIdleLifetime = TimeSpan.FromSeconds(55), SuspendTimeout = TimeSpan.FromMinutes(5) };

        var free = TenantDataSourceBuilder.PoolLimits(options, book.GetRecordedSettings("free"));
        var pro = TenantDataSourceBuilder.PoolLimits(options, book.GetRecordedSettings("pro"));

        // 55 s + 10 s pruning would outlive a 60 s suspend timeout: halved to 30 s (+ 10 s pruning < 60 s).
        Assert.Equal(new TenantPoolLimits(3, TimeSpan.FromSeconds(30)), free);
        Assert.Equal(new TenantPoolLimits(20, TimeSpan.FromSeconds(55)), pro);
    }
}
