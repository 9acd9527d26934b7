using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>The threshold tracker on its own: levels remembered per tenant, metric and billing period.</summary>
public sealed class UsageThresholdTrackerTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ObserveAsync_NewBillingPeriod_NotifiesAfresh()
    {
        var (tracker, observer) = Create();

        await tracker.ObserveAsync(Read("acme", November, used: 900), CancellationToken.None);
        await tracker.ObserveAsync(Read("acme", November, used: 950), CancellationToken.None);
        await tracker.ObserveAsync(Read("acme", November.AddMonths(1), used: 900), CancellationToken.None);

        Assert.Equal([November, November.AddMonths(1)], Crossings(observer).Select(c => c.PeriodStart));
        Assert.All(Crossings(observer), c => Assert.Equal(UsageThresholdLevel.Approaching, c.Level));
    }

    [Fact]
    public async Task ObserveAsync_TenantsAreTrackedApart()
    {
        var (tracker, observer) = Create();

        await tracker.ObserveAsync(Read("acme", November, used: 900), CancellationToken.None);
        await tracker.ObserveAsync(Read("globex", November, used: 900), CancellationToken.None);

        Assert.Equal(["acme", "globex"], Crossings(observer).Select(c => c.TenantId.Value));
    }

    private static (UsageThresholdTracker Tracker, IUsageThresholdObserver Observer) Create()
    {
        var observer = Substitute.For<IUsageThresholdObserver>();
        var tracker = new UsageThresholdTracker([observer], Options.Create(new TenantUsageOptions()), NullLogger<UsageThresholdTracker>.Instance);
        return (tracker, observer);
    }

    private static IEnumerable<UsageThresholdCrossing> Crossings(IUsageThresholdObserver observer) =>
        observer.ReceivedCalls().Select(c => (UsageThresholdCrossing)c.GetArguments()[0]!);

    /// <summary>A read of 1,000 CU-seconds of compute allowed, <paramref name="used"/> used, in the period starting at <paramref name="period"/>.</summary>
    private static TenantUsageAgainstPlan Read(string tenant, DateTimeOffset period, long used) => new(
        new TenantUsage { TenantId = TenantId.Parse(tenant), ProjectId = "p-" + tenant, PeriodStart = period, PeriodEnd = period.AddMonths(1) },
        "pro",
        [new UsageLimit(UsageLimitMetric.ComputeTime, used, 1000)]);
}
