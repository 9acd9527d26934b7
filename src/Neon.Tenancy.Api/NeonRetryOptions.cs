using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Neon.Tenancy.Api;

/// <summary>
/// Retry settings: 423, 429 and 503 are retried for every method; other 5xx answers, network failures and
/// attempt timeouts only for GET, HEAD and OPTIONS. Delays grow exponentially and never undercut <c>Retry-After</c>.
/// </summary>
public sealed class NeonRetryOptions
{
    /// <summary>Gets or sets the maximum number of retries after the first attempt. Default: 5. Range 0 to 100 (0 disables retries).</summary>
    [Range(0, 100, ErrorMessage = "NeonApiOptions.Retry.MaxRetryAttempts must be between {1} and {2}.")]
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>Gets or sets the delay before the first retry; each further retry doubles it. Default: 1 second. Range: 0 to 1 hour.</summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = "NeonApiOptions.Retry.BaseDelay must be between {1} and {2}.")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the cap of the computed backoff. Default: 30 seconds. A longer <c>Retry-After</c> from Neon is
    /// still honoured (it is never shortened). Range: 0 to 1 hour, and not shorter than <see cref="BaseDelay"/>.
    /// </summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = "NeonApiOptions.Retry.MaxDelay must be between {1} and {2}.")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a value indicating whether backoff delays are randomized (between half and all of the computed delay). Default: <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{ MaxRetryAttempts = {MaxRetryAttempts}, BaseDelay = {BaseDelay}, MaxDelay = {MaxDelay}, UseJitter = {UseJitter} }}");
}
