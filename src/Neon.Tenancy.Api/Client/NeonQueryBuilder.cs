using System.Globalization;
using System.Text;

namespace Neon.Tenancy.Api;

/// <summary>Builds the query string of a generated call; parameters that are null are left out.</summary>
internal struct NeonQueryBuilder
{
    private StringBuilder? _query;

    /// <summary>Escapes one path parameter; <c>.</c> and <c>..</c> would change the route, so they are refused.</summary>
    public static string PathSegment(string value) => value is "." or ".."
        ? throw new ArgumentException($"'{value}' is not a valid path parameter.", nameof(value))
        : Uri.EscapeDataString(value);

    /// <summary>Escapes one numeric path parameter.</summary>
    public static string PathSegment(long value) => value.ToString(CultureInfo.InvariantCulture);

    public void Add(string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        _query ??= new StringBuilder();
        _query.Append(_query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    public void Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public void Add(string name, double? value) => Add(name, value?.ToString("R", CultureInfo.InvariantCulture));

    public void Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    /// <summary>RFC 3339 in UTC, as the API documents its date-time parameters.</summary>
    public void Add(string name, DateTimeOffset? value) =>
        Add(name, value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));

    /// <summary>Arrays go as repeated parameters (<c>a=1&amp;a=2</c>), the definition's default form.</summary>
    public void Add(string name, IEnumerable<string>? values)
    {
        foreach (var value in values ?? [])
        {
            Add(name, value);
        }
    }

    public readonly string Build(string path) => _query is null ? path : path + _query.ToString();
}
