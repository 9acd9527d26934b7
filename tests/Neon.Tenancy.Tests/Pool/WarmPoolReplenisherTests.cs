using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>The hosted loop around <see cref="ITenantWarmPool.ReplenishAsync"/>, on a fake clock the test moves.</summary>
public sealed class WarmPoolReplenisherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly WarmPoolReplenishResult Done = new(true, 1, 0, 0, 0, []);

    private static WarmPoolReplenisher Replenisher(ITenantWarmPool pool, WarmPoolOptions options, TimeProvider time, FakeLogger<WarmPoolReplenisher>? logger = null)
    {
        var wrapped = Options.Create(options);
        return new WarmPoolReplenisher(new Lazy<ITenantWarmPool>(pool), new WarmPoolLayout(wrapped), wrapped, time, logger);
    }

    [Fact]
    public async Task Loop_FirstPassSoonAfterStart_ThenEveryInterval_AFailedPassIsLoggedAndTheLoopGoesOn()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var pool = Substitute.For<ITenantWarmPool>();
        pool.ReplenishAsync(Arg.Any<CancellationToken>()).Returns(
            _ => Task.FromException<WarmPoolReplenishResult>(new InvalidOperationException("catalog down")),
            _ => Task.FromResult(Done));
        var logger = new FakeLogger<WarmPoolReplenisher>();
        using var replenisher = Replenisher(pool, new WarmPoolOptions { Size = 1, ReplenishInterval = TimeSpan.FromSeconds(30) }, time, logger);
        await replenisher.StartAsync(CancellationToken.None);

        var first = replenisher.NextPass;
        time.Advance(WarmPoolReplenisher.FirstPassDelay);
        Assert.Null(await first.WaitAsync(Timeout)); // it failed
        Assert.Equal(NeonTenancyEventId.WarmPoolPassFailed, Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error).Id.Id);

        var second = replenisher.NextPass;
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(second.IsCompleted);
        await pool.Received(1).ReplenishAsync(Arg.Any<CancellationToken>());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(Done, await second.WaitAsync(Timeout));
        await pool.Received(2).ReplenishAsync(Arg.Any<CancellationToken>());

        await replenisher.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.True(replenisher.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task Loop_PoolOff_Idle()
    {
        var time = new FakeTimeProvider();
        var pool = Substitute.For<ITenantWarmPool>();
        using var replenisher = Replenisher(pool, new WarmPoolOptions(), time);

        await replenisher.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));

        await replenisher.ExecuteTask!.WaitAsync(Timeout); // ended at once
        Assert.Empty(pool.ReceivedCalls());
        await replenisher.StopAsync(CancellationToken.None);
    }
}
