using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Neon.Tenancy.Api;

/// <summary>
/// Client-side rate limits matching Neon's published budgets, so that bursts wait for permits instead of getting 429.
/// </summary>
/// <remarks>
/// Every attempt (retries included) takes a permit from the account budget and from its route's budget;
/// routes whose template starts with <c>consumption_history</c> also take one from the consumption budget.
/// Each budget is a token bucket refilled continuously, as Neon's limiter is: at most <see cref="BurstSize"/> requests
/// leave at once, the rest at the configured rate, waiting in line by the start of their call (a retry keeps its place).
/// A 429 from Neon empties and pauses the budget for <c>Retry-After</c> (else the retry's backoff), so every caller waits.
/// Waiting for a permit counts against <see cref="NeonApiOptions.Timeout"/>. These settings are read once,
/// when the limiters are created (at the first use of the client).
/// </remarks>
public sealed class NeonRateLimitOptions
{
    /// <summary>Gets or sets a value indicating whether client-side rate limiting is on. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the account-wide budget per minute. Default: 700 (Neon's default; some plans and accounts have a
    /// higher limit: set yours). The budget refills continuously (<c>RequestsPerMinute / 60</c> requests per second).
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "NeonApiOptions.RateLimit.RequestsPerMinute must be between {1} and {2}.")]
    public int RequestsPerMinute { get; set; } = 700;

    /// <summary>Gets or sets the budget per second of each route template, refilled continuously. Default: 40.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "NeonApiOptions.RateLimit.RequestsPerSecondPerRoute must be between {1} and {2}.")]
    public int RequestsPerSecondPerRoute { get; set; } = 40;

    /// <summary>Gets or sets the budget per minute of the <c>consumption_history</c> endpoints, refilled continuously. Default: 30.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "NeonApiOptions.RateLimit.ConsumptionRequestsPerMinute must be between {1} and {2}.")]
    public int ConsumptionRequestsPerMinute { get; set; } = 30;

    /// <summary>
    /// Gets or sets how many requests may leave at once when a budget has not been used for a while: the capacity of each
    /// budget's token bucket (capped by that budget's own figure). Beyond it requests leave at the budget's rate.
    /// Default: 10. Keep it below the burst Neon's limiter allows, or a burst draws 429s.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "NeonApiOptions.RateLimit.BurstSize must be between {1} and {2}.")]
    public int BurstSize { get; set; } = 10;

    /// <summary>
    /// Gets or sets how many requests may wait for a permit of one limiter at once. Default: 10,000.
    /// A request beyond it fails at once with <see cref="NeonRateLimitedException"/> (no request is sent).
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "NeonApiOptions.RateLimit.QueueLimit must be between {1} and {2}.")]
    public int QueueLimit { get; set; } = 10_000;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{ Enabled = {Enabled}, RequestsPerMinute = {RequestsPerMinute}, RequestsPerSecondPerRoute = {RequestsPerSecondPerRoute}, ConsumptionRequestsPerMinute = {ConsumptionRequestsPerMinute}, BurstSize = {BurstSize}, QueueLimit = {QueueLimit} }}");
}
