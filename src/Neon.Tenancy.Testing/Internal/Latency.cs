using System.Diagnostics;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>Waits out an emulated latency: never less than asked.</summary>
/// <remarks>
/// A timer can fire a fraction of a millisecond before its due time as a stopwatch measures it; a fake that promises
/// "creation takes 1 s" keeps that promise as a lower bound, so the remainder is waited again.
/// </remarks>
internal static class Latency
{
    public static async Task WaitAsync(TimeSpan latency, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        for (var remaining = latency; remaining > TimeSpan.Zero; remaining = latency - Stopwatch.GetElapsedTime(start))
        {
            await Task.Delay(remaining < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : remaining, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
