using System.Security.Cryptography;
using System.Text;

namespace Neon.Tenancy;

/// <summary>
/// The deterministic mapping from a tenant id to its Neon project name, so a provisioning retry finds the
/// project an earlier attempt created.
/// </summary>
/// <remarks>
/// <para><c>prefix + id</c> when that fits in <see cref="MaxLength"/> characters. Otherwise
/// <c>prefix + the id cut short + "--" + 16 base32 characters of SHA-256(id)</c>, exactly <see cref="MaxLength"/> long.</para>
/// <para>Why this never collides in practice: a name of the first form never contains <c>--</c> (tenant ids and
/// prefixes may not, and an id never starts with '-'), a name of the second form always does, so the two forms
/// are disjoint. Within the first form the mapping is injective; within the second, two ids collide only if
/// their 80-bit hashes do.</para>
/// </remarks>
internal static class TenantProjectNames
{
    /// <summary>The longest project name produced.</summary>
    public const int MaxLength = 64;

    /// <summary>The longest allowed prefix.</summary>
    public const int MaxPrefixLength = 24;

    private const int HashLength = 16;
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string For(TenantId tenantId, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException("The project name prefix may have at most 24 characters from a-z, 0-9 and '-', must start with a letter and must not contain '--'.", nameof(prefix));
        }

        var id = tenantId.Value;
        if (prefix.Length + id.Length <= MaxLength)
        {
            return prefix + id;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(id), hash);
        var keep = MaxLength - prefix.Length - 2 - HashLength;
        return string.Concat(prefix, id.AsSpan(0, keep), "--", Base32(hash[..10]));
    }

    public static bool IsValidPrefix(string prefix)
    {
        if (prefix.Length > MaxPrefixLength || prefix.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        if (prefix.Length > 0 && prefix[0] is not (>= 'a' and <= 'z'))
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (c is not (>= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Base32(ReadOnlySpan<byte> data)
    {
        // 10 bytes = 80 bits = 16 characters of 5 bits.
        Span<char> chars = stackalloc char[HashLength];
        var buffer = 0;
        var bits = 0;
        var n = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Base32Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        return new string(chars[..n]);
    }
}
