using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Neon.Tenancy;

// The single-setting rules of Neon.Tenancy's options that no built-in attribute expresses. Each is declared on its
// setting and checked by the setting's generated [OptionsValidator]; null passes (Required's concern). Messages come
// from ErrorMessage (the full setting path), or for a name from the shared request rules, never from the value.

/// <summary>The value parses as an Npgsql connection string. The message never carries the value.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NpgsqlConnectionStringAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is not string s || string.IsNullOrWhiteSpace(s) || TryParse(s) is not null;

    internal static NpgsqlConnectionStringBuilder? TryParse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// The connection string does not point at a Neon PgBouncer endpoint (a host containing <c>-pooler.</c>), for
/// sessions that need LISTEN. An unparsable value passes (<see cref="NpgsqlConnectionStringAttribute"/>'s concern).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class DirectEndpointAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) =>
        value is not string s
        || NpgsqlConnectionStringAttribute.TryParse(s)?.Host is not { } hosts
        || !hosts.Contains("-pooler.", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The value is a project name prefix (<see cref="TenantProjectNames.IsValidPrefix"/>); null fails.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ProjectNamePrefixAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) => value is string prefix && TenantProjectNames.IsValidPrefix(prefix);
}

/// <summary>
/// The value is a database name (or with <see cref="IsRole"/>, a role name) that a tenant request may use
/// (<see cref="TenantRequestRules"/>, the same rules a request's names follow). The message is the setting
/// (<see cref="ValidationAttribute.ErrorMessage"/>) followed by the rule it breaks.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TenantIdentifierAttribute : ValidationAttribute
{
    public bool IsRole { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var text = value as string;
        var problem = IsRole ? TenantRequestRules.RoleNameProblem(text) : TenantRequestRules.DatabaseNameProblem(text);
        return problem is null || (value is null && IsOptional)
            ? ValidationResult.Success
            : new ValidationResult(ErrorMessageString + " " + problem, validationContext.MemberName is { } member ? [member] : null);
    }

    /// <summary>Whether null passes (an optional setting); otherwise null fails like any invalid name.</summary>
    public bool IsOptional { get; set; }
}

/// <summary>
/// The <see cref="TimeSpan"/> is between <see cref="Minimum"/> and <see cref="Maximum"/> (inclusive, unless
/// <see cref="MinimumIsExclusive"/>); null passes. In place of <c>[Range(typeof(TimeSpan), ...)]</c>, whose constructor
/// is not trimming-safe (it converts through a TypeConverter), as dotnet/extensions has its own <c>[TimeSpan]</c>.
/// <c>{0}</c>, <c>{1}</c> and <c>{2}</c> in the message are the member, the minimum and the maximum (as configuration
/// writes a time span: <c>00:00:01</c>, <c>1.00:00:00</c>).
/// </summary>
// The same attribute as Neon.Tenancy.Api's (internal there): the two packages share no internal code today.
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <see cref="Minimum"/> itself is out of range ("greater than zero").</summary>
    public bool MinimumIsExclusive { get; set; }

    public override bool IsValid(object? value) =>
        value is not TimeSpan span || ((MinimumIsExclusive ? span > Minimum : span >= Minimum) && span <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}

/// <summary>
/// The number (int, double or decimal) is between <see cref="Minimum"/> and <see cref="Maximum"/> (inclusive, unless
/// <see cref="MinimumIsExclusive"/> or <see cref="MaximumIsExclusive"/>); null passes; NaN fails. In place of
/// <c>[Range]</c>, because the options generator replaces <c>[Range]</c> with its own copy that drops
/// <see cref="ValidationAttribute.ErrorMessage"/> (its message would name <c>TenantConnectionOptions.Capacity</c>, not
/// the configuration path). <c>{0}</c>, <c>{1}</c> and <c>{2}</c> in the message are the member, the minimum and the maximum.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NumberRangeAttribute(double minimum, double maximum) : ValidationAttribute
{
    public double Minimum { get; } = minimum;

    public double Maximum { get; } = maximum;

    /// <summary>Whether <see cref="Minimum"/> itself is out of range ("greater than").</summary>
    public bool MinimumIsExclusive { get; set; }

    /// <summary>Whether <see cref="Maximum"/> itself is out of range ("less than").</summary>
    public bool MaximumIsExclusive { get; set; }

    public override bool IsValid(object? value)
    {
        if (value is null)
        {
            return true;
        }

        var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        return (MinimumIsExclusive ? number > Minimum : number >= Minimum) && (MaximumIsExclusive ? number < Maximum : number <= Maximum);
    }

    public override string FormatErrorMessage(string name) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
