namespace Neon.Tenancy;

/// <summary>
/// Neon's rules for a consumption history request, checked before any call: defined granularity and metrics, a
/// non-empty tenant list, and a window inside the look-back limits (the start rounded down to the granularity, as Neon
/// rounds it).
/// </summary>
internal static class UsageHistoryRules
{
    /// <summary>Neon keeps no consumption history before this instant.</summary>
    internal static readonly DateTimeOffset HistoryEpoch = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Checks the request's lists and enums.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The metrics to read: distinct, in <see cref="UsageMetric"/> order.</returns>
    /// <exception cref="ArgumentException">An undefined granularity or metric, an empty tenant list or an empty metric list.</exception>
    public static List<UsageMetric> CheckMetrics(UsageHistoryRequest request)
    {
        if (!Enum.IsDefined(request.Granularity))
        {
            throw new ArgumentException($"Granularity {request.Granularity} is not defined.", nameof(request));
        }

        if (request.Tenants is { Count: 0 })
        {
            throw new ArgumentException("Tenants lists no tenant; pass null to read every tenant.", nameof(request));
        }

        var metrics = (request.Metrics ?? UsageHistoryRequest.DefaultMetrics).Distinct().ToList();
        if (metrics.Count == 0)
        {
            throw new ArgumentException("Metrics lists no metric; pass null for the default set.", nameof(request));
        }

        foreach (var metric in metrics)
        {
            if (!Enum.IsDefined(metric))
            {
                throw new ArgumentException($"Metric {metric} is not defined.", nameof(request));
            }
        }

        metrics.Sort();
        return metrics;
    }

    /// <summary>Checks the window against Neon's rules (the start rounded down to the granularity, as Neon does).</summary>
    /// <param name="request">The request.</param>
    /// <param name="now">The current time.</param>
    /// <exception cref="UsageWindowException">The window breaks a rule; the message names it.</exception>
    public static void CheckWindow(UsageHistoryRequest request, DateTimeOffset now)
    {
        var (from, to, granularity) = (request.From, request.To, request.Granularity);
        if (from >= to)
        {
            throw new UsageWindowException(from, to, granularity, "From must be before To.");
        }

        var start = Floor(from, granularity);
        if (start < HistoryEpoch)
        {
            throw new UsageWindowException(from, to, granularity, "Neon keeps no consumption history before 2024-03-01T00:00:00Z.");
        }

        var (earliest, limit) = granularity switch
        {
            UsageGranularity.Hourly => (now.AddHours(-168), "hourly history reaches back 168 hours"),
            UsageGranularity.Daily => (now.AddDays(-60), "daily history reaches back 60 days"),
            _ => (now.AddYears(-1), "monthly history reaches back 1 year"),
        };
        if (start < earliest)
        {
            throw new UsageWindowException(from, to, granularity, FormattableString.Invariant(
                $"{limit}; From rounded down to {start:O} is before {earliest.ToUniversalTime():O}. Use a later From or a coarser granularity."));
        }
    }

    /// <summary>Rounds down to the start of the hour, day or month (UTC), as Neon does with a window's start.</summary>
    /// <param name="t">The instant.</param>
    /// <param name="granularity">The time step.</param>
    /// <returns>The start of the step that holds <paramref name="t"/>.</returns>
    internal static DateTimeOffset Floor(DateTimeOffset t, UsageGranularity granularity)
    {
        t = t.ToUniversalTime();
        return granularity switch
        {
            UsageGranularity.Hourly => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero),
            UsageGranularity.Daily => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero),
        };
    }
}
