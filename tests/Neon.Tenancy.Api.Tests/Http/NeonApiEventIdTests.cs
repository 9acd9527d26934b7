using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>The published event ids are the ones the log calls use: same number, same name, each once.</summary>
public sealed class NeonApiEventIdTests
{
    private static Dictionary<string, int> Constants() => typeof(NeonApiEventId)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    private static List<LoggerMessageAttribute> LogCalls() => typeof(NeonApiLog)
        .GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
        .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
        .OfType<LoggerMessageAttribute>()
        .ToList();

    [Fact]
    public void EveryLogCall_UsesAPublishedIdUnderItsName_AndEveryIdIsUsedOnce()
    {
        var constants = Constants();
        var calls = LogCalls();

        Assert.Equal(constants.Count, calls.Count);
        foreach (var call in calls)
        {
            Assert.True(constants.TryGetValue(call.EventName!, out var id), $"{call.EventName} is not a NeonApiEventId constant");
            Assert.Equal(id, call.EventId);
        }

        Assert.Equal(calls.Count, calls.Select(c => c.EventId).Distinct().Count());
    }

    [Fact]
    public void Ids_AreTheStableOnesOfTheApiRange()
    {
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["AttemptCompleted"] = 1000,
                ["AttemptFailed"] = 1001,
                ["RetryScheduled"] = 1002,
                ["RetryAbandonedDeadline"] = 1003,
                ["DeadlineExpired"] = 1004,
                ["RateLimitQueueFull"] = 1005,
                ["RateLimitWaited"] = 1006,
            },
            Constants());
    }
}
