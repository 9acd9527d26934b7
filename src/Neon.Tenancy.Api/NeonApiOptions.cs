using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// Settings of the Neon API v2 client: credentials, address, deadlines, retries and client-side rate limits.
/// </summary>
/// <remarks>
/// The options are read through <see cref="IOptionsMonitor{TOptions}"/> on every call, so a rotated
/// <see cref="ApiKey"/> or a changed deadline applies to the next request without a new client.
/// The rate limits are read once, when the limiters are created.
/// The options are validated when the host starts; an invalid setting fails with an
/// <see cref="OptionsValidationException"/> whose message names the setting.
/// </remarks>
public sealed class NeonApiOptions
{
    private const string DefaultBaseAddress = "https://console.neon.tech/api/v2/";

    private Uri _baseAddress = new(DefaultBaseAddress);

    /// <summary>
    /// Gets or sets the Neon API key sent as <c>Authorization: Bearer &lt;key&gt;</c>. Required.
    /// </summary>
    /// <remarks>The key is never logged, never part of an exception message and never shown by <see cref="ToString"/>.</remarks>
    [Required(ErrorMessage = "NeonApiOptions.ApiKey is required.")]
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the base address of the Neon API. Default: <c>https://console.neon.tech/api/v2/</c>.
    /// </summary>
    /// <remarks>
    /// Must be an absolute <c>http</c> or <c>https</c> URI. A missing trailing <c>/</c> is added, so relative
    /// operation paths such as <c>projects</c> resolve below it.
    /// </remarks>
    [Required(ErrorMessage = "NeonApiOptions.BaseAddress is required.")]
    public Uri BaseAddress
    {
        get => _baseAddress;
        set => _baseAddress = Normalize(value);
    }

    /// <summary>
    /// Gets or sets the Neon organization id used by calls that need <c>org_id</c>. Default: <see langword="null"/>
    /// (personal accounts, or organization API keys, which imply it).
    /// </summary>
    public string? OrgId { get; set; }

    /// <summary>
    /// Gets or sets the overall deadline of one call, covering every attempt, every retry delay and every
    /// client-side rate-limiter wait. Default: 100 seconds. Must be between 1 millisecond and 1 day.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Gets or sets the timeout of a single HTTP attempt (until the whole response body is read).
    /// Default: 30 seconds. Must be positive and not longer than <see cref="Timeout"/>.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the retry settings. Default: a new <see cref="NeonRetryOptions"/>.</summary>
    [Required(ErrorMessage = "NeonApiOptions.Retry is required.")]
    [ValidateObjectMembers]
    public NeonRetryOptions Retry { get; set; } = new();

    /// <summary>Gets or sets the client-side rate-limit settings. Default: a new <see cref="NeonRateLimitOptions"/>.</summary>
    [Required(ErrorMessage = "NeonApiOptions.RateLimit is required.")]
    [ValidateObjectMembers]
    public NeonRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// Gets or sets how often a pending Neon operation is polled while waiting for it. Default: 1 second.
    /// Must be positive and not longer than <see cref="OperationTimeout"/>.
    /// </summary>
    public TimeSpan OperationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long waiting for Neon operations may take in total. Default: 10 minutes.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Returns a description of the settings in which the API key is redacted.</summary>
    /// <returns>The settings, with <c>ApiKey = ***</c> (or <c>&lt;not set&gt;</c>).</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"NeonApiOptions {{ ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "<not set>" : "***")}, BaseAddress = {BaseAddress}, OrgId = {OrgId ?? "<not set>"}, Timeout = {Timeout}, AttemptTimeout = {AttemptTimeout}, Retry = {Retry}, RateLimit = {RateLimit}, OperationPollInterval = {OperationPollInterval}, OperationTimeout = {OperationTimeout} }}");

    private static Uri Normalize(Uri value)
    {
        // Null and relative URIs are kept as they are so that validation can name the setting.
        if (value is null || !value.IsAbsoluteUri || value.AbsolutePath.EndsWith('/'))
        {
            return value!;
        }

        var builder = new UriBuilder(value);
        builder.Path += "/";
        return builder.Uri;
    }
}

/// <summary>
/// Retry settings: 423, 429 and 503 are retried for every method; other 5xx answers, network failures and
/// attempt timeouts only for GET, HEAD and OPTIONS. Delays grow exponentially and never undercut <c>Retry-After</c>.
/// </summary>
public sealed class NeonRetryOptions
{
    /// <summary>Gets or sets the maximum number of retries after the first attempt. Default: 5. Range 0 to 100 (0 disables retries).</summary>
    [Range(0, 100, ErrorMessage = "NeonApiOptions.Retry.MaxRetryAttempts must be between {1} and {2}.")]
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>Gets or sets the delay before the first retry; each further retry doubles it. Default: 1 second.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the cap of the computed backoff. Default: 30 seconds. A longer <c>Retry-After</c> from Neon is
    /// still honoured (it is never shortened). Must not be shorter than <see cref="BaseDelay"/>.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a value indicating whether backoff delays are randomized (between half and all of the computed delay). Default: <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{ MaxRetryAttempts = {MaxRetryAttempts}, BaseDelay = {BaseDelay}, MaxDelay = {MaxDelay}, UseJitter = {UseJitter} }}");
}

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
