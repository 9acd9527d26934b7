using System.Globalization;

namespace Neon.Tenancy.Tests.Tenants;

/// <summary>
/// <see cref="TenantId"/> as <see cref="ISpanParsable{TSelf}"/> (what ASP.NET Core minimal APIs bind with): the same rules
/// as <see cref="TenantId.Parse(string)"/> for strings and spans, and the format provider ignored.
/// </summary>
public sealed class TenantIdParsingTests
{
    public static TheoryData<string, TenantIdRule> BadIds => TenantIdTests.BadIds;

    [Theory]
    [MemberData(nameof(BadIds))]
    public void ParseWithProvider_BadId_ThrowsNamingTheRuleForStringsAndSpans(string value, TenantIdRule rule)
    {
        var fromString = Assert.Throws<TenantIdFormatException>(() => TenantId.Parse(value, CultureInfo.InvariantCulture));
        var fromSpan = Assert.Throws<TenantIdFormatException>(() => TenantId.Parse(value.AsSpan(), CultureInfo.InvariantCulture));
        var viaInterface = Assert.Throws<TenantIdFormatException>(() => ParseSpan<TenantId>(value));

        Assert.All(new[] { fromString, fromSpan, viaInterface }, ex => Assert.Equal(rule, ex.Rule));
        Assert.Equal(Assert.Throws<TenantIdFormatException>(() => TenantId.Parse(value)).Message, fromSpan.Message);
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public void TryParseWithProvider_BadId_ReturnsFalseAndDefault(string value, TenantIdRule rule)
    {
        _ = rule;

        Assert.False(TenantId.TryParse(value, CultureInfo.InvariantCulture, out var fromString));
        Assert.False(TenantId.TryParse(value.AsSpan(), CultureInfo.InvariantCulture, out var fromSpan));
        Assert.False(TryParseSpan<TenantId>(value, out var viaInterface));
        Assert.Equal(default, fromString);
        Assert.Equal(default, fromSpan);
        Assert.Equal(default, viaInterface);
    }

    [Fact]
    public void ParseSpan_BadId_MessageNeverEchoesTheValue()
    {
        var ex = Assert.Throws<TenantIdFormatException>(() => TenantId.Parse("acme'; drop table tenants; --".AsSpan(), null));

        Assert.DoesNotContain("drop", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("acme", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> GoodIds => TenantIdTests.GoodIds;

    [Theory]
    [MemberData(nameof(GoodIds))]
    public void ParseWithProvider_GoodId_EqualsParse(string value)
    {
        var expected = TenantId.Parse(value);

        Assert.Equal(expected, TenantId.Parse(value, CultureInfo.InvariantCulture));
        Assert.Equal(expected, TenantId.Parse(value.AsSpan(), CultureInfo.InvariantCulture));
        Assert.Equal(expected, ParseString<TenantId>(value));
        Assert.Equal(expected, ParseSpan<TenantId>(value));
        Assert.True(TenantId.TryParse(value, CultureInfo.InvariantCulture, out var fromString));
        Assert.True(TenantId.TryParse(value.AsSpan(), CultureInfo.InvariantCulture, out var fromSpan));
        Assert.Equal(expected, fromString);
        Assert.Equal(expected, fromSpan);
        Assert.Equal(value, fromSpan.Value);
    }

    [Fact]
    public void ParseSpan_SliceOfALongerString_ParsesOnlyTheSlice()
    {
        var route = "/tenants/acme-corp/orders".AsSpan();

        var id = TenantId.Parse(route.Slice(9, 9), null);

        Assert.Equal("acme-corp", id.Value);
        Assert.False(TenantId.TryParse(route.Slice(8, 10), null, out _)); // "/acme-corp"
    }

    [Fact]
    public void ParseWithProvider_FormatProvider_IsIgnored()
    {
        // Neither a culture with its own casing rules (Turkish dotted/dotless i) nor a provider that must not be
        // consulted changes the outcome.
        var turkish = CultureInfo.GetCultureInfo("tr-TR");
        var untouchable = new ThrowingFormatProvider();

        Assert.Equal(TenantId.Parse("istanbul"), TenantId.Parse("istanbul", turkish));
        Assert.Equal(TenantId.Parse("istanbul"), TenantId.Parse("istanbul".AsSpan(), untouchable));
        Assert.Equal(TenantIdRule.Lowercase, Assert.Throws<TenantIdFormatException>(() => TenantId.Parse("Istanbul", turkish)).Rule);
        Assert.False(TenantId.TryParse("İstanbul", turkish, out _));
        Assert.True(TenantId.TryParse("istanbul", untouchable, out _));
        Assert.True(TenantId.TryParse("istanbul".AsSpan(), untouchable, out _));
        Assert.Equal(0, untouchable.Calls);
    }

    [Fact]
    public void ParseWithProvider_NullString_ThrowsArgumentNullAndTryParseReturnsFalse()
    {
        Assert.Throws<ArgumentNullException>(() => TenantId.Parse(null!, CultureInfo.InvariantCulture));
        Assert.False(TenantId.TryParse((string?)null, CultureInfo.InvariantCulture, out var id));
        Assert.Equal(default, id);
    }

    [Fact]
    public void ParseSpan_Empty_ThrowsLengthRule()
    {
        Assert.Equal(TenantIdRule.Length, Assert.Throws<TenantIdFormatException>(() => TenantId.Parse(ReadOnlySpan<char>.Empty, null)).Rule);
        Assert.False(TenantId.TryParse(ReadOnlySpan<char>.Empty, null, out _));
    }

    private static T ParseString<T>(string value)
        where T : IParsable<T> => T.Parse(value, CultureInfo.InvariantCulture);

    private static T ParseSpan<T>(string value)
        where T : ISpanParsable<T> => T.Parse(value.AsSpan(), CultureInfo.InvariantCulture);

    private static bool TryParseSpan<T>(string value, out T? result)
        where T : ISpanParsable<T> => T.TryParse(value.AsSpan(), CultureInfo.InvariantCulture, out result);

    private sealed class ThrowingFormatProvider : IFormatProvider
    {
        public int Calls { get; private set; }

        public object? GetFormat(Type? formatType)
        {
            Calls++;
            throw new InvalidOperationException("TenantId must not consult the format provider.");
        }
    }
}
