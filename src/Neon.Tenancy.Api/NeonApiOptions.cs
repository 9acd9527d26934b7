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
    [NeonApiKeyFormat(ErrorMessage = "NeonApiOptions.ApiKey must not contain whitespace or control characters (check for a trailing newline).")]
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the base address of the Neon API. Default: <c>https://console.neon.tech/api/v2/</c>.
    /// </summary>
    /// <remarks>
    /// Must be an absolute <c>http</c> or <c>https</c> URI. A missing trailing <c>/</c> is added, so relative
    /// operation paths such as <c>projects</c> resolve below it.
    /// </remarks>
    [Required(ErrorMessage = "NeonApiOptions.BaseAddress is required.")]
    [AbsoluteHttpUri(ErrorMessage = "NeonApiOptions.BaseAddress must be an absolute http or https URI.")]
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
    /// client-side rate-limiter wait. Default: 100 seconds. Range: 1 millisecond to 1 day.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "1.00:00:00", ErrorMessage = "NeonApiOptions.Timeout must be between {1} and {2}.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Gets or sets the timeout of a single HTTP attempt (until the whole response body is read).
    /// Default: 30 seconds. Range: 1 millisecond to 1 day, and not longer than <see cref="Timeout"/>.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "1.00:00:00", ErrorMessage = "NeonApiOptions.AttemptTimeout must be between {1} and {2}.")]
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
    /// Range: 1 millisecond to 1 day, and not longer than <see cref="OperationTimeout"/>.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "1.00:00:00", ErrorMessage = "NeonApiOptions.OperationPollInterval must be between {1} and {2}.")]
    public TimeSpan OperationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long waiting for Neon operations may take in total. Default: 10 minutes. Range: 1 millisecond to 1 day.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "1.00:00:00", ErrorMessage = "NeonApiOptions.OperationTimeout must be between {1} and {2}.")]
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
