using System.Net.Http.Headers;

namespace Neon.Tenancy.Api;

/// <summary>Header names and values of the Neon API runtime.</summary>
internal static class NeonHeaders
{
    internal const string RequestId = "X-Request-ID";

    internal const string Accept = "Accept";

    internal const string UserAgent = "User-Agent";

    /// <summary>Reads <c>Retry-After</c> (delta-seconds or HTTP-date, the latter relative to <paramref name="timeProvider"/>); never negative.</summary>
    internal static TimeSpan? GetRetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>The first value of a header, or <see langword="null"/>.</summary>
    internal static string? GetFirst(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
