namespace Neon.Tenancy;

/// <summary>
/// Encrypts tenants' connection strings for storage in the catalog and decrypts them when a connection is needed.
/// A ciphertext is bound to its tenant and kind: decrypting it for another tenant or kind fails.
/// </summary>
/// <remarks>
/// The default implementation is AES-256-GCM with a key ring from <see cref="NeonTenancyOptions.Secrets"/>.
/// Decrypt as late as possible and keep the plaintext only as long as needed; never log it.
/// </remarks>
public interface IConnectionSecretProtector
{
    /// <summary>Encrypts a connection string with the current key.</summary>
    /// <param name="tenantId">The tenant the secret belongs to.</param>
    /// <param name="kind">Pooled or direct.</param>
    /// <param name="connectionString">The plaintext connection string.</param>
    /// <returns>The ciphertext, to store in <see cref="TenantRecord"/>.</returns>
    /// <exception cref="ConnectionSecretException">The secret could not be protected.</exception>
    byte[] Protect(TenantId tenantId, ConnectionSecretKind kind, string connectionString);

    /// <summary>Decrypts a connection string with whichever listed key encrypted it.</summary>
    /// <param name="tenantId">The tenant the secret must belong to.</param>
    /// <param name="kind">The kind the secret must be.</param>
    /// <param name="protectedSecret">The ciphertext from <see cref="Protect"/>.</param>
    /// <returns>The plaintext connection string.</returns>
    /// <exception cref="ConnectionSecretException">The key id is unknown, the data is malformed, or authentication failed
    /// (tampered, copied from another tenant or kind, or the key changed).</exception>
    string Unprotect(TenantId tenantId, ConnectionSecretKind kind, ReadOnlySpan<byte> protectedSecret);
}
