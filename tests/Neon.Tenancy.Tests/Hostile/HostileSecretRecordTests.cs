namespace Neon.Tenancy.Tests.Hostile;

/// <summary>Tampered catalog records: the AES-GCM protector refuses each with a typed error naming the tenant and kind.</summary>
[Trait("Category", "Hostile")]
public sealed class HostileSecretRecordTests
{
    private static readonly TenantId Alpha = TenantId.Parse("alpha");
    private static readonly TenantId Beta = TenantId.Parse("beta");

    public static TheoryData<string, ConnectionSecretError> Tamperings => new()
    {
        { "flip-first-byte", ConnectionSecretError.Malformed },
        { "flip-middle-byte", ConnectionSecretError.AuthenticationFailed },
        { "flip-last-byte", ConnectionSecretError.AuthenticationFailed },
        { "truncate-to-empty", ConnectionSecretError.Malformed },
        { "truncate-to-one", ConnectionSecretError.Malformed },
        { "truncate-by-one", ConnectionSecretError.AuthenticationFailed },
        { "truncate-to-half", ConnectionSecretError.AuthenticationFailed },
        { "append-byte", ConnectionSecretError.AuthenticationFailed },
        { "swap-tenant", ConnectionSecretError.AuthenticationFailed },
        { "swap-kind", ConnectionSecretError.AuthenticationFailed },
        { "swap-tenant-and-kind", ConnectionSecretError.AuthenticationFailed },
        { "all-zero", ConnectionSecretError.Malformed },
        { "flip-key-id", ConnectionSecretError.UnknownKey },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void Unprotect_TamperedCiphertext_ThrowsConnectionSecretExceptionNamingTenantAndKind(string tampering, ConnectionSecretError expected)
    {
        var protector = SecretsTestData.CreateProtector();
        var stored = protector.Protect(Alpha, ConnectionSecretKind.Pooled, HostileSecrets.ConnectionString);
        var (tenant, kind, bytes) = Tamper(tampering, stored);

        var ex = Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(tenant, kind, bytes));

        Assert.Equal(expected, ex.Error);
        Assert.Equal(tenant, ex.TenantId);
        Assert.Equal(kind, ex.Kind);
        Assert.Contains($"tenant '{tenant}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(kind.ToString(), ex.Message, StringComparison.Ordinal);
        HostileSecrets.AssertNoSecret(ex);
    }

    private static (TenantId Tenant, ConnectionSecretKind Kind, byte[] Bytes) Tamper(string tampering, byte[] stored)
    {
        byte[] Flip(int at)
        {
            var copy = (byte[])stored.Clone();
            copy[at] ^= 0x5A;
            return copy;
        }

        return tampering switch
        {
            "flip-first-byte" => (Alpha, ConnectionSecretKind.Pooled, Flip(0)),
            "flip-middle-byte" => (Alpha, ConnectionSecretKind.Pooled, Flip(stored.Length / 2)),
            "flip-last-byte" => (Alpha, ConnectionSecretKind.Pooled, Flip(stored.Length - 1)),
            "truncate-to-empty" => (Alpha, ConnectionSecretKind.Pooled, []),
            "truncate-to-one" => (Alpha, ConnectionSecretKind.Pooled, stored[..1]),
            "truncate-by-one" => (Alpha, ConnectionSecretKind.Pooled, stored[..^1]),
            "truncate-to-half" => (Alpha, ConnectionSecretKind.Pooled, stored[..(stored.Length / 2)]),
            "append-byte" => (Alpha, ConnectionSecretKind.Pooled, [.. stored, 0]),
            "swap-tenant" => (Beta, ConnectionSecretKind.Pooled, stored),
            "swap-kind" => (Alpha, ConnectionSecretKind.Direct, stored),
            "swap-tenant-and-kind" => (Beta, ConnectionSecretKind.ApplicationDirect, stored),
            "all-zero" => (Alpha, ConnectionSecretKind.Pooled, new byte[stored.Length]),
            "flip-key-id" => (Alpha, ConnectionSecretKind.Pooled, Flip(2)),
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };
    }
}
