using System.Text;
using System.Text.RegularExpressions;

namespace Neon.Tenancy.Api;

/// <summary>
/// Makes Neon's error text safe for exception messages and logs: removes anything that looks like an API key,
/// a bearer token, a password or the credentials of a connection URI, drops control characters and truncates.
/// </summary>
internal static partial class NeonMessageScrubber
{
    internal const int MaxLength = 500;
    private const string Redacted = "***";

    internal static string? Scrub(string? text) => Scrub(text, []);

    /// <summary>
    /// As <see cref="Scrub(string?)"/>, first removing every value of <paramref name="secrets"/> (the configured API keys,
    /// whatever their shape), as they are and URI-escaped, ignoring case.
    /// </summary>
    internal static string? Scrub(string? text, IReadOnlyList<string> secrets)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var value = UriCredentials().Replace(RemoveSecrets(text, secrets), "$1" + Redacted + "@");
        value = KeyValueSecret().Replace(value, "$1" + Redacted);
        value = BearerToken().Replace(value, "$1" + Redacted);
        value = NeonKey().Replace(value, Redacted);
        value = LongToken().Replace(value, Redacted);

        var builder = new StringBuilder(Math.Min(value.Length, MaxLength + 3));
        foreach (var c in value)
        {
            if (builder.Length >= MaxLength)
            {
                builder.Append("...");
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }

    /// <summary>Removes every value of <paramref name="secrets"/> from <paramref name="text"/>, as it is and URI-escaped, ignoring case.</summary>
    internal static string RemoveSecrets(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            text = text.Replace(secret, Redacted, StringComparison.OrdinalIgnoreCase);
            var escaped = Uri.EscapeDataString(secret);
            if (!string.Equals(escaped, secret, StringComparison.Ordinal))
            {
                text = text.Replace(escaped, Redacted, StringComparison.OrdinalIgnoreCase);
            }
        }

        return text;
    }

    /// <summary>Keeps an identifier (request id, error code) printable and short, without the configured keys.</summary>
    internal static string Sanitize(string value, IReadOnlyList<string> secrets) => Sanitize(RemoveSecrets(value, secrets));

    /// <summary>Keeps an identifier (request id, error code) printable and short; no secret heuristics.</summary>
    internal static string Sanitize(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 128));
        foreach (var c in value)
        {
            if (builder.Length >= 128)
            {
                break;
            }

            if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // scheme://user:password@host -> scheme://***@host (any scheme: postgres, postgresql, https, ...).
    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.\-]*://)[^\s/@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UriCredentials();

    // password=..., pwd: ..., api_key=..., token=..., secret=...
    [GeneratedRegex(@"((?:password|passwd|pwd|api[_\-]?key|token|secret)\s*[=:]\s*)[^\s;&,""']+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValueSecret();

    [GeneratedRegex(@"(bearer\s+)\S+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerToken();

    // Neon API keys ("napi_...").
    [GeneratedRegex(@"napi_[A-Za-z0-9]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NeonKey();

    // Any long opaque token (32+ letters/digits/underscores): keys and secrets, not ids (GUIDs have dashes).
    [GeneratedRegex(@"[A-Za-z0-9_]{32,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongToken();
}
