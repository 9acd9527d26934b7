namespace Neon.Tenancy.Tests.Tenants;

public sealed class TenantIdTests
{
    public static TheoryData<string, TenantIdRule> BadIds => new()
    {
        { "", TenantIdRule.Length },
        { new string('a', 64), TenantIdRule.Length },
        { new string('a', 1000), TenantIdRule.Length },
        { " ", TenantIdRule.AllowedCharacters },
        { "   ", TenantIdRule.AllowedCharacters },
        { " acme", TenantIdRule.AllowedCharacters },
        { "acme ", TenantIdRule.AllowedCharacters },
        { "ac me", TenantIdRule.AllowedCharacters },
        { "\tacme", TenantIdRule.AllowedCharacters },
        { "acme\n", TenantIdRule.AllowedCharacters },
        { "acme\0", TenantIdRule.AllowedCharacters },
        { "ac\u001bme", TenantIdRule.AllowedCharacters },
        { "Acme", TenantIdRule.Lowercase },
        { "ACME", TenantIdRule.Lowercase },
        { "acme'", TenantIdRule.AllowedCharacters },
        { "\"acme\"", TenantIdRule.AllowedCharacters },
        { "acme'; drop table tenants; --", TenantIdRule.AllowedCharacters },
        { "acme' or '1'='1", TenantIdRule.AllowedCharacters },
        { "1;select", TenantIdRule.AllowedCharacters },
        { "a/b", TenantIdRule.AllowedCharacters },
        { "../etc", TenantIdRule.AllowedCharacters },
        { "acme.com", TenantIdRule.AllowedCharacters },
        { "acme_corp", TenantIdRule.AllowedCharacters },
        { "a|b", TenantIdRule.AllowedCharacters },
        { "café", TenantIdRule.AllowedCharacters },
        { "аcme", TenantIdRule.AllowedCharacters }, // Cyrillic 'а'
        { "日本", TenantIdRule.AllowedCharacters },
        { "acme\u200b", TenantIdRule.AllowedCharacters }, // zero-width space
        { "-acme", TenantIdRule.StartAndEnd },
        { "acme-", TenantIdRule.StartAndEnd },
        { "-", TenantIdRule.StartAndEnd },
        { "ac--me", TenantIdRule.ConsecutiveHyphens },
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    public void Parse_BadId_ThrowsNamingTheRule(string value, TenantIdRule rule)
    {
        var ex = Assert.Throws<TenantIdFormatException>(() => TenantId.Parse(value));

        Assert.Equal(rule, ex.Rule);
        Assert.StartsWith("A tenant id ", ex.Message, StringComparison.Ordinal);
        Assert.False(TenantId.TryParse(value, out _));
    }

    [Fact]
    public void BadIds_AtLeastTwentyCases()
    {
        Assert.True(BadIds.Count >= 20);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => TenantId.Parse(null!));
        Assert.False(TenantId.TryParse(null, out _));
    }

    [Fact]
    public void Parse_BadId_MessageNeverEchoesTheValue()
    {
        var ex = Assert.Throws<TenantIdFormatException>(() => TenantId.Parse("x'; drop table tenants; --"));

        Assert.DoesNotContain("drop", ex.Message, StringComparison.Ordinal);
        Assert.Contains("U+0027", ex.Message, StringComparison.Ordinal);
        Assert.Contains("position 1", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> GoodIds => new("a", "0", "acme", "acme-corp-42", "42", "a-b-c", "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopq");

    [Theory]
    [MemberData(nameof(GoodIds))]
    public void Parse_GoodId_RoundTrips(string value)
    {
        var id = TenantId.Parse(value);

        Assert.Equal(value, id.Value);
        Assert.Equal(value, id.ToString());
        Assert.True(TenantId.TryParse(value, out var parsed));
        Assert.Equal(id, parsed);
        Assert.True(id == parsed);
        Assert.Equal(id.GetHashCode(), parsed.GetHashCode());
    }

    [Fact]
    public void Default_IsNotAValidId()
    {
        var id = default(TenantId);

        Assert.Throws<InvalidOperationException>(() => id.Value);
        Assert.Equal(string.Empty, id.ToString());
        Assert.NotEqual(TenantId.Parse("a"), id);
    }

    [Fact]
    public void CompareTo_OrdersOrdinally()
    {
        var ids = new[] { "b", "a-1", "a", "a0", "10", "9" }.Select(TenantId.Parse).Order().Select(i => i.Value);

        Assert.Equal(["10", "9", "a", "a-1", "a0", "b"], ids);
    }
}
