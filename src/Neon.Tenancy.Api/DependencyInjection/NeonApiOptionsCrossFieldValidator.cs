using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// The rules of <see cref="NeonApiOptions"/> that relate two settings (which data annotations cannot express); the
/// rules of single settings are annotations checked by <see cref="NeonApiOptionsValidator"/>. Messages name both settings.
/// </summary>
internal sealed class NeonApiOptionsCrossFieldValidator : IValidateOptions<NeonApiOptions>
{
    public ValidateOptionsResult Validate(string? name, NeonApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();

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
}
