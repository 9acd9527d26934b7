using System.ComponentModel.DataAnnotations;

namespace Neon.Tenancy.Api;

/// <summary>
/// The value is a usable API key: no whitespace or control character (a key pasted with its trailing newline would be
/// refused by Neon with a 401 that says nothing about why). Empty passes (<see cref="RequiredAttribute"/>'s concern).
/// The message never carries the value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NeonApiKeyFormatAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) =>
        value is not string key || !key.AsSpan().ContainsAny(WhitespaceOrControl.Values);

    private static class WhitespaceOrControl
    {
        public static readonly System.Buffers.SearchValues<char> Values = System.Buffers.SearchValues.Create(
            Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(c => char.IsWhiteSpace(c) || char.IsControl(c)).ToArray());
    }
}

/// <summary>The value is an absolute <c>http</c> or <c>https</c> URI. Null passes (<see cref="RequiredAttribute"/>'s concern).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class AbsoluteHttpUriAttribute : ValidationAttribute
{
    public override bool IsValid(object? value) =>
        value is not Uri uri || (uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));
}

/// <summary>
/// The <see cref="TimeSpan"/> is between <see cref="Minimum"/> and <see cref="Maximum"/> (inclusive). In place of
/// <c>[Range(typeof(TimeSpan), ...)]</c>, whose constructor is not trimming-safe (it converts through a TypeConverter).
/// <c>{0}</c>, <c>{1}</c> and <c>{2}</c> in the message are the setting, the minimum and the maximum.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan span || (span >= Minimum && span <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
