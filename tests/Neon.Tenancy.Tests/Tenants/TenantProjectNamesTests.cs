namespace Neon.Tenancy.Tests.Tenants;

public sealed class TenantProjectNamesTests
{
    [Fact]
    public void For_ShortId_IsPrefixPlusId()
    {
        Assert.Equal("tenant-acme", TenantProjectNames.For(TenantId.Parse("acme"), "tenant-"));
        Assert.Equal("acme", TenantProjectNames.For(TenantId.Parse("acme"), ""));
    }

    [Fact]
    public void For_LongestIdWithLongestPrefix_StaysWithinLimitAndIsDeterministic()
    {
        var id = TenantId.Parse(new string('x', 63));
        var prefix = new string('p', TenantProjectNames.MaxPrefixLength);

        var name = TenantProjectNames.For(id, prefix);

        Assert.Equal(TenantProjectNames.MaxLength, name.Length);
        Assert.StartsWith(prefix + "xxxx", name, StringComparison.Ordinal);
        Assert.Contains("--", name, StringComparison.Ordinal);
        Assert.Matches("^[a-z0-9-]+$", name);
        Assert.Equal(name, TenantProjectNames.For(TenantId.Parse(new string('x', 63)), prefix));
    }

    [Fact]
    public void For_ExactlyFittingId_IsNotHashed()
    {
        var id = TenantId.Parse(new string('a', 57));

        Assert.Equal("tenant-" + id.Value, TenantProjectNames.For(id, "tenant-"));
    }

    [Fact]
    public void For_ManyIds_LongOnesSharingAPrefix_MapToDistinctNames()
    {
        var common = new string('a', 50);
        var ids = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            ids.Add(common + i.ToString("D13", System.Globalization.CultureInfo.InvariantCulture)); // 63 chars, differ only at the end
            ids.Add("t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ids.Add(new string('b', 40) + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var prefix in new[] { "", "tenant-", "p2345678901234567890123-" })
        {
            var names = ids.Select(id => TenantProjectNames.For(TenantId.Parse(id), prefix)).ToList();

            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
            Assert.All(names, n => Assert.InRange(n.Length, 1, TenantProjectNames.MaxLength));
        }
    }

    [Fact]
    public void For_HashedNameOfLongId_CannotEqualPlainNameOfAnyId()
    {
        var longId = TenantId.Parse(new string('a', 63));
        var hashed = TenantProjectNames.For(longId, "tenant-");
        var hashedSuffix = hashed["tenant-".Length..];

        // A short id spelled like the hashed name's tail would need "--", which tenant ids may not contain.
        Assert.False(TenantId.TryParse(hashedSuffix, out _));
    }

    [Theory]
    [InlineData("Tenant-")]
    [InlineData("-tenant")]
    [InlineData("1tenant")]
    [InlineData("ten--ant")]
    [InlineData("tenant_")]
    [InlineData("p23456789012345678901234x")]
    public void IsValidPrefix_BadPrefix_IsRejected(string prefix)
    {
        Assert.False(TenantProjectNames.IsValidPrefix(prefix));
        Assert.Throws<ArgumentException>(() => TenantProjectNames.For(TenantId.Parse("a"), prefix));
    }
}
