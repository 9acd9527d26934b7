using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of <see cref="WarmPoolOptions"/> declared as data annotations, checked by this source-generated validator
/// (no reflection). Each message names the full setting. The rules that span settings (region ids and sizes, plans that
/// must be configured) are <c>WarmPoolOptionsRules</c>'.
/// </summary>
[OptionsValidator]
internal sealed partial class WarmPoolOptionsValidator : IValidateOptions<WarmPoolOptions>;
