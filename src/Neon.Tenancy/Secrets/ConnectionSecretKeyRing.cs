using System.Collections.Frozen;

namespace Neon.Tenancy;

/// <summary>Decoded keys of <see cref="TenantSecretOptions"/>; the rules here are the ones the options validator reports.</summary>
internal sealed class ConnectionSecretKeyRing
{
    public const int KeySizeInBytes = 32;
    public const int MaxKeyIdLength = 32;

    private readonly FrozenDictionary<string, byte[]> _keys;

    private ConnectionSecretKeyRing(FrozenDictionary<string, byte[]> keys, string currentKeyId)
    {
        _keys = keys;
        CurrentKeyId = currentKeyId;
        CurrentKey = keys[currentKeyId];
    }

    public string CurrentKeyId { get; }

    public byte[] CurrentKey { get; }

    public bool TryGetKey(string keyId, out byte[] key) => _keys.TryGetValue(keyId, out key!);

    /// <exception cref="InvalidOperationException">The options break a rule (the message names the setting, never a key).</exception>
    public static ConnectionSecretKeyRing Create(TenantSecretOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        var keys = options.Keys.ToFrozenDictionary(pair => pair.Key, pair => Convert.FromBase64String(pair.Value), StringComparer.Ordinal);
        return new ConnectionSecretKeyRing(keys, options.CurrentKeyId!);
    }

    public static List<string> Validate(TenantSecretOptions options)
    {
        var errors = new List<string>();
        if (options.Keys.Count == 0)
        {
            errors.Add("NeonTenancy:Secrets:Keys must list at least one key (base64 of 32 random bytes) under a key id.");
        }

        foreach (var (keyId, value) in options.Keys)
        {
            if (!IsValidKeyId(keyId))
            {
                errors.Add($"NeonTenancy:Secrets:Keys has an invalid key id (1 to {MaxKeyIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-').");
                continue;
            }

            if (!IsValidKey(value))
            {
                errors.Add($"NeonTenancy:Secrets:Keys:{keyId} must be the base64 encoding of exactly {KeySizeInBytes} bytes (a 256-bit key).");
            }
        }

        if (!string.IsNullOrEmpty(options.CurrentKeyId) && !options.Keys.ContainsKey(options.CurrentKeyId))
        {
            errors.Add("NeonTenancy:Secrets:CurrentKeyId names a key id that is not in NeonTenancy:Secrets:Keys.");
        }

        return errors;
    }

    public static bool IsValidKeyId(string keyId)
    {
        if (keyId.Length is 0 or > MaxKeyIdLength)
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (c is not (>= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidKey(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[64];
        var ok = Convert.TryFromBase64String(value, buffer, out var written) && written == KeySizeInBytes;
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);
        return ok;
    }
}
