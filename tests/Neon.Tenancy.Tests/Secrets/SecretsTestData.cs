using System.Security.Cryptography;

namespace Neon.Tenancy.Tests;

internal static class SecretsTestData
{
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static TenantSecretOptions Options(string currentKeyId, params (string Id, string Key)[] keys)
    {
        var options = new TenantSecretOptions { CurrentKeyId = currentKeyId };
        foreach (var (id, key) in keys)
        {
            options.Keys[id] = key;
        }

        return options;
    }

    public static AesGcmConnectionSecretProtector CreateProtector(TenantSecretOptions? options = null) =>
        new(ConnectionSecretKeyRing.Create(options ?? Options("k1", ("k1", NewKey()))));
}
