using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Checkpoints;

/// <summary>The scheduled-checkpoint settings from configuration: bound, and a bad one fails the host start naming it.</summary>
public sealed class CheckpointScheduleOptionsTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "NeonTenancy:Checkpoints:SchedulerPeriod", "00:00:10", "NeonTenancy:Checkpoints:SchedulerPeriod must be between 00:01:00 and 1.00:00:00" },
        { "NeonTenancy:Checkpoints:SchedulerPeriod", "2.00:00:00", "NeonTenancy:Checkpoints:SchedulerPeriod must be between 00:01:00 and 1.00:00:00" },
        { "NeonTenancy:Checkpoints:SchedulerPeriod", "soon", "NeonTenancy:Checkpoints:SchedulerPeriod has a value that cannot be converted" },
        { "NeonTenancy:Plans:Plans:free:CheckpointInterval", "00:30:00", "NeonTenancy:Plans:Plans:free:CheckpointInterval (00:30:00) must be at least 01:00:00" },
        { "NeonTenancy:Plans:Plans:free:CheckpointInterval", "hourly", "NeonTenancy:Plans:Plans:free:CheckpointInterval has a value that cannot be converted" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task StartAsync_BadScheduleSetting_FailsNamingTheSetting(string setting, string value, string expected)
    {
        using var host = TenancyTestHost.Build(new() { [setting] = value });

        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ScheduleSettings_BoundFromConfiguration_DefaultPeriodFiveMinutes()
    {
        using (var defaults = TenancyTestHost.Build([]))
        {
            Assert.Equal(TimeSpan.FromMinutes(5), defaults.Services.GetRequiredService<IOptions<TenantCheckpointOptions>>().Value.SchedulerPeriod);
        }

        using var host = TenancyTestHost.Build(new()
        {
            ["NeonTenancy:Checkpoints:SchedulerPeriod"] = "00:02:00",
            ["NeonTenancy:Plans:Plans:free:CheckpointInterval"] = "06:00:00",
        });
        await host.StartAsync();

        Assert.Equal(TimeSpan.FromMinutes(2), host.Services.GetRequiredService<IOptions<TenantCheckpointOptions>>().Value.SchedulerPeriod);
        Assert.Equal(TimeSpan.FromHours(6), host.Services.GetRequiredService<PlanBook>().GetCheckpointRetention("free").Interval);
        await host.StopAsync();
    }
}
