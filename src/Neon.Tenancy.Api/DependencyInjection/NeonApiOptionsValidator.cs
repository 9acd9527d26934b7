using System.Globalization;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>Field rules of <see cref="NeonApiOptions"/> (data annotations), source-generated.</summary>
[OptionsValidator]
internal sealed partial class NeonApiOptionsValidator : IValidateOptions<NeonApiOptions>
{
}

/// <summary>
/// Time-span ranges (RangeAttribute over TimeSpan is not trim-safe, so they are checked here), rules across fields of <see cref="NeonApiOptions"/>, and rules data annotations cannot express.
/// Messages name the setting and never carry the value of <see cref="NeonApiOptions.ApiKey"/>.
/// </summary>
internal sealed class NeonApiOptionsCrossFieldValidator : IValidateOptions<NeonApiOptions>
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan OneHour = TimeSpan.FromHours(1);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, NeonApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();

        if (!string.IsNullOrEmpty(options.ApiKey) && ContainsWhitespaceOrControl(options.ApiKey))
        {
            builder.AddError("NeonApiOptions.ApiKey must not contain whitespace or control characters (check for a trailing newline).");
        }

        var baseAddress = options.BaseAddress;
        if (baseAddress is not null &&
            (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp)))
        {
            builder.AddError("NeonApiOptions.BaseAddress must be an absolute http or https URI.");
        }

        CheckRange(builder, "NeonApiOptions.Timeout", options.Timeout, OneMillisecond, OneDay);
        CheckRange(builder, "NeonApiOptions.AttemptTimeout", options.AttemptTimeout, OneMillisecond, OneDay);
        CheckRange(builder, "NeonApiOptions.OperationPollInterval", options.OperationPollInterval, OneMillisecond, OneDay);
        CheckRange(builder, "NeonApiOptions.OperationTimeout", options.OperationTimeout, OneMillisecond, OneDay);
        if (options.Retry is { } delays)
        {
            CheckRange(builder, "NeonApiOptions.Retry.BaseDelay", delays.BaseDelay, TimeSpan.Zero, OneHour);
            CheckRange(builder, "NeonApiOptions.Retry.MaxDelay", delays.MaxDelay, TimeSpan.Zero, OneHour);
        }

        if (options.AttemptTimeout > options.Timeout)
        {
            builder.AddError("NeonApiOptions.AttemptTimeout must not be longer than NeonApiOptions.Timeout.");
        }

        if (options.OperationPollInterval > options.OperationTimeout)
        {
            builder.AddError("NeonApiOptions.OperationPollInterval must not be longer than NeonApiOptions.OperationTimeout.");
        }

        if (options.Retry is { } retry && retry.BaseDelay > retry.MaxDelay)
        {
            builder.AddError("NeonApiOptions.Retry.BaseDelay must not be longer than NeonApiOptions.Retry.MaxDelay.");
        }

        return builder.Build();
    }

    private static void CheckRange(ValidateOptionsResultBuilder builder, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            builder.AddError(string.Create(CultureInfo.InvariantCulture, $"{setting} must be between {min} and {max}."));
        }
    }

    private static bool ContainsWhitespaceOrControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}
