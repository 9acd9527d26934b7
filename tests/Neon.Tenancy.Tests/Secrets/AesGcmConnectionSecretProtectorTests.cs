namespace Neon.Tenancy.Tests.Secrets;

public sealed class AesGcmConnectionSecretProtectorTests
{
    private const string ConnectionString = "Host=ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech;Database=app;Username=app_owner;Password=npg_Zx9kLqP2vT;SSL Mode=Require";
    private static readonly TenantId Acme = TenantId.Parse("acme");
    private static readonly TenantId Other = TenantId.Parse("other");

    [Theory]
    [InlineData(ConnectionString)]
    [InlineData("")]
    [InlineData("Password=pä$$wörd-ü-日本")]
    public void Unprotect_OwnCiphertext_ReturnsPlaintext(string plaintext)
    {
        var protector = SecretsTestData.CreateProtector();

        var ciphertext = protector.Protect(Acme, ConnectionSecretKind.Pooled, plaintext);

        Assert.Equal(plaintext, protector.Unprotect(Acme, ConnectionSecretKind.Pooled, ciphertext));
    }

    [Fact]
    public void Protect_SamePlaintextTwice_UsesFreshNonces()
    {
        var protector = SecretsTestData.CreateProtector();

        var a = protector.Protect(Acme, ConnectionSecretKind.Pooled, ConnectionString);
        var b = protector.Protect(Acme, ConnectionSecretKind.Pooled, ConnectionString);

        Assert.NotEqual(a, b);
        Assert.False(a.AsSpan().IndexOf("npg_Zx9kLqP2vT"u8) >= 0);
    }

    [Fact]
    public void Rotation_NewCurrentKey_OldCiphertextsStillReadAndNewOnesUseNewKey()
    {
        var k1 = SecretsTestData.NewKey();
        var k2 = SecretsTestData.NewKey();
        var before = SecretsTestData.CreateProtector(SecretsTestData.Options("2025-01", ("2025-01", k1)));
        var old = before.Protect(Acme, ConnectionSecretKind.Direct, ConnectionString);

        var after = SecretsTestData.CreateProtector(SecretsTestData.Options("2025-06", ("2025-01", k1), ("2025-06", k2)));
        var fresh = after.Protect(Acme, ConnectionSecretKind.Direct, ConnectionString);
        var newKeyOnly = SecretsTestData.CreateProtector(SecretsTestData.Options("2025-06", ("2025-06", k2)));

        Assert.Equal(ConnectionString, after.Unprotect(Acme, ConnectionSecretKind.Direct, old));
        Assert.Equal(ConnectionString, newKeyOnly.Unprotect(Acme, ConnectionSecretKind.Direct, fresh));
        var ex = Assert.Throws<ConnectionSecretException>(() => newKeyOnly.Unprotect(Acme, ConnectionSecretKind.Direct, old));
        Assert.Equal(ConnectionSecretError.UnknownKey, ex.Error);
        Assert.Equal("2025-01", ex.KeyId);
        Assert.Contains("'2025-01'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ConnectionSecretException>(() => before.Unprotect(Acme, ConnectionSecretKind.Direct, fresh));
    }

    [Fact]
    public void Unprotect_AnySingleByteTampered_IsRejected()
    {
        var protector = SecretsTestData.CreateProtector();
        var ciphertext = protector.Protect(Acme, ConnectionSecretKind.Pooled, ConnectionString);

        for (var i = 0; i < ciphertext.Length; i++)
        {
            var tampered = (byte[])ciphertext.Clone();
            tampered[i] ^= 0x01;

            var ex = Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(Acme, ConnectionSecretKind.Pooled, tampered));
            Assert.Equal(Acme, ex.TenantId);
        }
    }

    [Fact]
    public void Unprotect_CiphertextOfAnotherTenantOrKind_IsRejected()
    {
        var protector = SecretsTestData.CreateProtector();
        var ciphertext = protector.Protect(Acme, ConnectionSecretKind.Pooled, ConnectionString);

        var moved = Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(Other, ConnectionSecretKind.Pooled, ciphertext));
        var swapped = Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(Acme, ConnectionSecretKind.Direct, ciphertext));

        Assert.Equal(ConnectionSecretError.AuthenticationFailed, moved.Error);
        Assert.Equal(Other, moved.TenantId);
        Assert.Contains("'other'", moved.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionSecretError.AuthenticationFailed, swapped.Error);
    }

    [Fact]
    public void Unprotect_SameKeyIdDifferentKey_IsRejectedWithoutLeakingMaterial()
    {
        var key = SecretsTestData.NewKey();
        var wrongKey = SecretsTestData.NewKey();
        var right = SecretsTestData.CreateProtector(SecretsTestData.Options("k1", ("k1", key)));
        var wrong = SecretsTestData.CreateProtector(SecretsTestData.Options("k1", ("k1", wrongKey)));
        var ciphertext = right.Protect(Acme, ConnectionSecretKind.Pooled, ConnectionString);

        var ex = Assert.Throws<ConnectionSecretException>(() => wrong.Unprotect(Acme, ConnectionSecretKind.Pooled, ciphertext));

        Assert.Equal(ConnectionSecretError.AuthenticationFailed, ex.Error);
        Assert.Equal("k1", ex.KeyId);
        var text = ex.ToString();
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("npg_Zx9kLqP2vT", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 2, 2, (byte)'k', (byte)'1' })]
    [InlineData(new byte[] { 1, 0, 1, 2, 3 })]
    [InlineData(new byte[] { 1, 2, (byte)'k', (byte)'1', 0, 0, 0 })]
    public void Unprotect_Malformed_IsRejected(byte[] data)
    {
        var protector = SecretsTestData.CreateProtector();

        var ex = Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(Acme, ConnectionSecretKind.Pooled, data));

        Assert.Equal(ConnectionSecretError.Malformed, ex.Error);
    }

    [Fact]
    public void Format_Version1_HasDocumentedLayout()
    {
        var protector = SecretsTestData.CreateProtector(SecretsTestData.Options("key-7", ("key-7", SecretsTestData.NewKey())));

        var ciphertext = protector.Protect(Acme, ConnectionSecretKind.Pooled, "abc");

        Assert.Equal(1, ciphertext[0]);
        Assert.Equal(5, ciphertext[1]);
        Assert.Equal("key-7"u8.ToArray(), ciphertext[2..7]);
        Assert.Equal(7 + 12 + 3 + 16, ciphertext.Length);
    }

    [Fact]
    public void Protect_DefaultTenantId_Throws()
    {
        var protector = SecretsTestData.CreateProtector();

        Assert.Throws<ArgumentException>(() => protector.Protect(default, ConnectionSecretKind.Pooled, "x"));
    }
}
