using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of <see cref="TenantMigrationOptions"/>, declared once as data annotations on the options and checked by
/// this source-generated validator (no reflection). Each message names the full setting.
/// </summary>
[OptionsValidator]
internal sealed partial class TenantMigrationOptionsValidator : IValidateOptions<TenantMigrationOptions>;
