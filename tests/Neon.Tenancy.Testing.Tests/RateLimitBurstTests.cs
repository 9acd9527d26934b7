using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Xunit.Abstractions;

namespace Neon.Tenancy.Testing.Tests;

/// <summary>Wall-clock measurements: run alone, so the machine's other tests do not slow the pacing down.</summary>
[CollectionDefinition(nameof(RateLimitBurst), DisableParallelization = true)]
public sealed class RateLimitBurst
{
}

/// <summary>
/// The client's budgets against a server whose limiter refills continuously (Neon's shape), scaled from 700/min to
/// 100/s so that the burst lasts a few seconds.
/// </summary>
[Collection(nameof(RateLimitBurst))]
public sealed class RateLimitBurstTests(ITestOutputHelper output)
{
    private const int ServerPerSecond = 100;
    private const int ServerBucket = 20;
    private const int ClientPerSecond = 90; // a bit below the server's rate, as a user sets RequestsPerMinute
    private const int Burst = 300;          // 15 times the server's bucket
    private const int ClientBurstSize = 10; // NeonRateLimitOptions.BurstSize's default

    [Fact]
    public async Task BurstOfReads_ServerBucketSmallerThanBurst_AllSucceedPacedAtTheClientRateWithFew429s()
    {
        await using var neon = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            OperationDuration = TimeSpan.Zero,
            EnforceRateLimits = true,
            RequestsPerMinute = ServerPerSecond * 60,
            AccountBucketCapacity = ServerBucket,
            RequestsPerSecondPerRoute = 100_000, // the account bucket is under test
        });
        var services = new ServiceCollection();
        services.AddNeonApiClient(options =>
        {
            neon.ConfigureApi(options);
            options.Timeout = TimeSpan.FromSeconds(30);
            options.RateLimit.RequestsPerMinute = ClientPerSecond * 60;
            options.RateLimit.RequestsPerSecondPerRoute = 100_000;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<NeonApiClient>();
        var project = (await client.Projects.CreateProjectAsync(new ProjectCreateRequest
        {
            Project = new ProjectCreateRequestProject { Name = "tenant" },
        })).Project.Id;
        await Task.Delay(TimeSpan.FromSeconds(1)); // both buckets full again
        var before = neon.RequestLog.Count;

        var clock = Stopwatch.StartNew();
        var reads = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => client.Projects.GetProjectAsync(project)));
        clock.Stop();

        var requests = neon.RequestLog.Skip(before).ToList();
        var limited = requests.Count(r => r.StatusCode == 429);
        output.WriteLine($"{Burst} reads in {clock.Elapsed.TotalSeconds:0.00} s, {requests.Count} requests, {limited} answered 429");
        Assert.All(reads, r => Assert.Equal(project, r.Project.Id));
        Assert.True(limited < requests.Count / 100.0, $"{limited} of {requests.Count} requests answered 429");

        // Paced: (300 - 10 burst) / 90 per second = 3.2 s. A minute's budget let out at once would take no time and
        // draw hundreds of 429s; the bounds are wide because machines are noisy.
        var expected = (Burst - ClientBurstSize) / (double)ClientPerSecond;
        Assert.InRange(clock.Elapsed.TotalSeconds, expected * 0.8, (expected * 2.5) + 2);
    }
}
