using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Usage;

/// <summary>
/// The history cache and the sharing of reads under way. Reads are held by the rig's <see cref="ConsumptionGate"/>, which
/// the test opens: the in-memory catalog answers at once, so a second read has joined the first before
/// <see cref="IUsageClient.GetHistoryAsync"/> returns, and no delay is needed to "let it join".
/// </summary>
public sealed class UsageHistoryCachingTests
{
    /// <summary>Bounds a wait that only lasts this long when the behaviour is broken (never a race with the test's own steps).</summary>
    private static readonly TimeSpan Broken = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GetHistoryAsync_DifferentRequests_AreCachedSeparately()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 3);
        var (a, b) = (rig.Tenants[0].Tenant, rig.Tenants[1].Tenant);

        await rig.Usage.GetHistoryAsync(rig.LastDay(a));
        await rig.Usage.GetHistoryAsync(rig.LastDay(a));
        await rig.Usage.GetHistoryAsync(rig.LastDay(b));
        await rig.Usage.GetHistoryAsync(rig.LastDay(a) with { Granularity = UsageGranularity.Hourly });
        await rig.Usage.GetHistoryAsync(rig.LastDay(a) with { Metrics = [UsageMetric.ComputeUnitSeconds] });

        Assert.Equal(4, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_CacheDurationZero_EveryReadCalls()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1, usage: o => o.HistoryCacheDuration = TimeSpan.Zero);
        var request = rig.LastDay(rig.Tenants[0].Tenant);

        await rig.Usage.GetHistoryAsync(request);
        await rig.Usage.GetHistoryAsync(request);

        Assert.Equal(2, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_IdenticalReadsAtOnce_ShareOneSetOfCalls()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1, usage: o => o.HistoryCacheDuration = TimeSpan.Zero);
        await rig.Fake.AddConsumptionAsync(rig.Tenants[0].ProjectId, rig.Now.AddHours(-5), "compute_unit_seconds", 7200);
        var request = rig.LastDay(rig.Tenants[0].Tenant);
        rig.Gate.Close();

        var first = rig.Usage.GetHistoryAsync(request);
        await rig.Gate.FirstHeld.WaitAsync(Broken);
        var second = rig.Usage.GetHistoryAsync(request);
        rig.Gate.Open();
        var answers = await Task.WhenAll(first, second).WaitAsync(Broken);

        // One call for both readers, even with the cache off: they asked while the first read was under way.
        Assert.Equal(1, rig.Gate.Calls);
        Assert.Equal(1, rig.ConsumptionCalls);
        Assert.Same(answers[0], answers[1]);
        Assert.Equal(TimeSpan.FromHours(2), Assert.Single(answers[1].Tenants).Total.ComputeTime);
    }

    [Fact]
    public async Task GetHistoryAsync_ReaderThatStartedTheCallsGivesUp_OthersReadAgain()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1);
        var request = rig.LastDay(rig.Tenants[0].Tenant);
        using var cancel = new CancellationTokenSource();
        rig.Gate.Close();
        var first = rig.Usage.GetHistoryAsync(request, cancel.Token);
        await rig.Gate.FirstHeld.WaitAsync(Broken);
        var second = rig.Usage.GetHistoryAsync(request);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(second.IsCompleted);
        rig.Gate.Open();
        var answer = await second.WaitAsync(Broken);
        Assert.Equal(rig.Tenants[0].Tenant, Assert.Single(answer.Tenants).TenantId);
        // The first call was cancelled at the gate (Neon never saw it); the reader that stayed sent its own.
        Assert.Equal(2, rig.Gate.Calls);
        Assert.Equal(1, rig.ConsumptionCalls);
    }

    [Fact]
    public async Task GetHistoryAsync_SharedReadFails_EveryReaderGetsTheErrorAndNothingIsCached()
    {
        await using var rig = await UsageRig.StartAsync(tenants: 1);
        var request = rig.LastDay(rig.Tenants[0].Tenant);
        rig.Fake.Faults.Inject(UsageRig.ConsumptionRoute, NeonFault.Status(403, "", "consumption history is not available on this plan"));
        rig.Gate.Close();
        var first = rig.Usage.GetHistoryAsync(request);
        await rig.Gate.FirstHeld.WaitAsync(Broken);
        var second = rig.Usage.GetHistoryAsync(request);

        rig.Gate.Open();

        var firstError = await Assert.ThrowsAnyAsync<NeonApiException>(() => first.WaitAsync(Broken));
        var secondError = await Assert.ThrowsAnyAsync<NeonApiException>(() => second.WaitAsync(Broken));
        Assert.Same(firstError, secondError);
        Assert.Equal(1, rig.ConsumptionCalls);
        await rig.Usage.GetHistoryAsync(request);
        Assert.Equal(2, rig.ConsumptionCalls);
    }
}
