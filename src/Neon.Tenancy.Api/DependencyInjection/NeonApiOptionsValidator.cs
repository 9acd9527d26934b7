using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// The rules of single settings of <see cref="NeonApiOptions"/>, declared once as data annotations on the options
/// (ranges, required values, formats) and checked by this source-generated validator (no reflection; trimming and AOT safe).
/// Each annotation's message names the full setting and never carries the value.
/// </summary>
[OptionsValidator]
internal sealed partial class NeonApiOptionsValidator : IValidateOptions<NeonApiOptions>
{
}
