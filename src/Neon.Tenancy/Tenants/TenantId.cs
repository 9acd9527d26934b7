using System.Diagnostics.CodeAnalysis;

namespace Neon.Tenancy;

/// <summary>
/// Identifies one tenant. A validated value: every <see cref="TenantId"/> that exists follows these rules.
/// </summary>
/// <remarks>
/// <para>Rules (the same as a DNS label, so an id is also safe in host names, project names and logs):</para>
/// <list type="bullet">
/// <item><description>1 to <see cref="MaxLength"/> (63) characters;</description></item>
/// <item><description>only lowercase ASCII letters <c>a-z</c>, digits <c>0-9</c> and the hyphen <c>-</c>;</description></item>
/// <item><description>starts and ends with a letter or digit;</description></item>
/// <item><description>no two hyphens in a row (<c>--</c> is reserved for generated names).</description></item>
/// </list>
/// <para>Case policy: ids are case-sensitive and must already be lowercase. Uppercase input is rejected rather
/// than silently folded, so two spellings can never end up as one tenant by accident; lowercase your own keys
/// first if they are case-insensitive. Nothing is trimmed either.</para>
/// <para>It is <see cref="ISpanParsable{TSelf}"/>, so ASP.NET Core minimal APIs bind it from route and query values
/// (<c>app.MapGet("/{tenant}", (TenantId tenant) =&gt; ...)</c>): an invalid value is a 400, never a tenant. The format
/// provider is ignored: the rules do not depend on culture.</para>
/// </remarks>
public readonly struct TenantId : IEquatable<TenantId>, IComparable<TenantId>, ISpanParsable<TenantId>
{
    /// <summary>The longest allowed tenant id, in characters.</summary>
    public const int MaxLength = 63;

    private readonly string? _value;

    private TenantId(string value) => _value = value;

    /// <summary>
    /// The identity of a warm-pool project (<c>pool--{id}</c>): what its secrets are encrypted for until a tenant claims
    /// it. Never a tenant's: tenant ids cannot contain <c>--</c>.
    /// </summary>
    internal static TenantId ForPoolProject(string poolEntryId) => new("pool--" + poolEntryId);

    /// <summary>
    /// The id as a string. Reading it from <c>default(TenantId)</c> throws, because the default value is not a valid id.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is <c>default(TenantId)</c>.</exception>
    public string Value => _value ?? throw new InvalidOperationException("default(TenantId) is not a valid tenant id; create one with TenantId.Parse.");

    /// <summary>Parses and validates a tenant id.</summary>
    /// <param name="value">The candidate id.</param>
    /// <returns>The tenant id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="TenantIdFormatException"><paramref name="value"/> breaks one of the rules; the message names it.</exception>
    public static TenantId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var violation = Validate(value);
        if (violation is not null)
        {
            throw new TenantIdFormatException(violation.Value.Rule, violation.Value.Message);
        }

        return new TenantId(value);
    }

    /// <summary>Parses and validates a tenant id (<see cref="IParsable{TSelf}"/>); the same as <see cref="Parse(string)"/>.</summary>
    /// <param name="s">The candidate id.</param>
    /// <param name="provider">Ignored: the rules do not depend on culture.</param>
    /// <returns>The tenant id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is <see langword="null"/>.</exception>
    /// <exception cref="TenantIdFormatException"><paramref name="s"/> breaks one of the rules; the message names it.</exception>
    public static TenantId Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <summary>Parses and validates a tenant id from characters (<see cref="ISpanParsable{TSelf}"/>).</summary>
    /// <param name="s">The candidate id.</param>
    /// <param name="provider">Ignored: the rules do not depend on culture.</param>
    /// <returns>The tenant id.</returns>
    /// <exception cref="TenantIdFormatException"><paramref name="s"/> breaks one of the rules; the message names it.</exception>
    public static TenantId Parse(ReadOnlySpan<char> s, IFormatProvider? provider)
    {
        var violation = Validate(s);
        if (violation is not null)
        {
            throw new TenantIdFormatException(violation.Value.Rule, violation.Value.Message);
        }

        return new TenantId(s.ToString());
    }

    /// <summary>
    /// The one guard every public entry point taking a <see cref="TenantId"/> uses: <c>default(TenantId)</c> is a bad
    /// argument (<see cref="ArgumentException"/> naming the parameter), wherever it is passed.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    internal static void ThrowIfDefault(TenantId tenantId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(tenantId))] string? paramName = null)
    {
        if (tenantId._value is null)
        {
            throw new ArgumentException("default(TenantId) is not a tenant; create one with TenantId.Parse.", paramName);
        }
    }

    /// <summary>Tries to parse a tenant id without throwing.</summary>
    /// <param name="value">The candidate id.</param>
    /// <param name="tenantId">The tenant id when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is a valid tenant id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out TenantId tenantId)
    {
        if (value is not null && Validate(value) is null)
        {
            tenantId = new TenantId(value);
            return true;
        }

        tenantId = default;
        return false;
    }

    /// <summary>Tries to parse a tenant id without throwing (<see cref="IParsable{TSelf}"/>); the same as <see cref="TryParse(string?, out TenantId)"/>.</summary>
    /// <param name="s">The candidate id.</param>
    /// <param name="provider">Ignored: the rules do not depend on culture.</param>
    /// <param name="result">The tenant id when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid tenant id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out TenantId result) => TryParse(s, out result);

    /// <summary>Tries to parse a tenant id from characters without throwing (<see cref="ISpanParsable{TSelf}"/>).</summary>
    /// <param name="s">The candidate id.</param>
    /// <param name="provider">Ignored: the rules do not depend on culture.</param>
    /// <param name="result">The tenant id when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid tenant id.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out TenantId result)
    {
        if (Validate(s) is null)
        {
            result = new TenantId(s.ToString());
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>Returns the id itself (never anything else), or an empty string for <c>default(TenantId)</c>.</summary>
    /// <returns>The id.</returns>
    public override string ToString() => _value ?? string.Empty;

    /// <inheritdoc/>
    public bool Equals(TenantId other) => string.Equals(_value, other._value); // ordinal

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TenantId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _value?.GetHashCode() ?? 0; // ordinal, and no virtual call on the hit path

    /// <summary>Orders ids ordinally (the order in which catalogs list tenants).</summary>
    /// <param name="other">The id to compare with.</param>
    /// <returns>A negative number, zero or a positive number.</returns>
    public int CompareTo(TenantId other) => string.CompareOrdinal(_value, other._value);

    /// <summary>Whether two ids are equal.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(TenantId left, TenantId right) => left.Equals(right);

    /// <summary>Whether two ids differ.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(TenantId left, TenantId right) => !left.Equals(right);

    /// <summary>Ordinal less-than.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> sorts first.</returns>
    public static bool operator <(TenantId left, TenantId right) => left.CompareTo(right) < 0;

    /// <summary>Ordinal greater-than.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> sorts last.</returns>
    public static bool operator >(TenantId left, TenantId right) => left.CompareTo(right) > 0;

    /// <summary>Ordinal less-than-or-equal.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> does not sort after <paramref name="right"/>.</returns>
    public static bool operator <=(TenantId left, TenantId right) => left.CompareTo(right) <= 0;

    /// <summary>Ordinal greater-than-or-equal.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> does not sort before <paramref name="right"/>.</returns>
    public static bool operator >=(TenantId left, TenantId right) => left.CompareTo(right) >= 0;

    private static (TenantIdRule Rule, string Message)? Validate(ReadOnlySpan<char> value)
    {
        if (value.Length == 0)
        {
            return (TenantIdRule.Length, "A tenant id must not be empty (rule: 1 to 63 characters).");
        }

        if (value.Length > MaxLength)
        {
            return (TenantIdRule.Length, $"A tenant id must be at most {MaxLength} characters long; this one has {value.Length} (rule: 1 to 63 characters).");
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')
            {
                continue;
            }

            if (c is >= 'A' and <= 'Z')
            {
                return (TenantIdRule.Lowercase, $"A tenant id must be lowercase; found an uppercase letter at position {i} (rule: ids are case-sensitive and only lowercase letters are allowed).");
            }

            // Never echo the character itself: it may be a control character or part of an injection attempt.
            var kind = char.IsControl(c) ? "a control character" : char.IsWhiteSpace(c) ? "whitespace" : c > 0x7F ? "a non-ASCII character" : "a disallowed character";
            return (TenantIdRule.AllowedCharacters, $"A tenant id may contain only a-z, 0-9 and '-'; found {kind} (U+{(int)c:X4}) at position {i}.");
        }

        if (value[0] == '-' || value[^1] == '-')
        {
            return (TenantIdRule.StartAndEnd, "A tenant id must start and end with a letter or digit, not '-'.");
        }

        if (value.IndexOf("--", StringComparison.Ordinal) >= 0)
        {
            return (TenantIdRule.ConsecutiveHyphens, "A tenant id must not contain two hyphens in a row ('--' is reserved for generated names).");
        }

        return null;
    }
}
