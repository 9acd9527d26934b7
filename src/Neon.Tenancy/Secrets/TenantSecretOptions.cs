using System.ComponentModel.DataAnnotations;

namespace Neon.Tenancy;

/// <summary>
/// The key ring of the default AES-256-GCM <see cref="IConnectionSecretProtector"/>, bound from <c>NeonTenancy:Secrets</c>.
/// </summary>
/// <remarks>
/// <para>Example: <c>NeonTenancy:Secrets:Keys:2025-01 = &lt;base64 of 32 random bytes&gt;</c> and
/// <c>NeonTenancy:Secrets:CurrentKeyId = 2025-01</c>. Generate a key with
/// <c>openssl rand -base64 32</c>; keep keys in a secret store, not in appsettings.json.</para>
/// <para>Rotation: add a new key, make it current, restart. New secrets use it; old ones still decrypt with their
/// own key as long as it stays listed. Remove an old key only after every secret encrypted with it was re-encrypted.</para>
/// </remarks>
public sealed class TenantSecretOptions
{
    /// <summary>Keys by key id: base64 of exactly 32 bytes each. Key ids: 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</summary>
    public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The id of the key new secrets are encrypted with. Required; must be one of <see cref="Keys"/>.</summary>
    [Required(ErrorMessage = NeonTenancySections.SecretsPath + ":CurrentKeyId is required: the id of the key in " + NeonTenancySections.SecretsPath + ":Keys that encrypts new connection secrets.")]
    public string? CurrentKeyId { get; set; }
}
