namespace Neon.Tenancy;

/// <summary>
/// A connection secret could not be protected or unprotected. Names the tenant, kind and key id; never key material
/// or the secret.
/// </summary>
public sealed class ConnectionSecretException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">Pooled or direct.</param>
    /// <param name="keyId">The key id, when known.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ConnectionSecretException(ConnectionSecretError error, TenantId tenantId, ConnectionSecretKind kind, string? keyId, Exception? innerException = null)
        : base(Describe(error, tenantId, kind, keyId), innerException)
    {
        Error = error;
        TenantId = tenantId;
        Kind = kind;
        KeyId = keyId;
    }

    /// <summary>What went wrong.</summary>
    public ConnectionSecretError Error { get; }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>Pooled or direct.</summary>
    public ConnectionSecretKind Kind { get; }

    /// <summary>The key id named by the ciphertext, when it could be read.</summary>
    public string? KeyId { get; }

    private static string Describe(ConnectionSecretError error, TenantId tenantId, ConnectionSecretKind kind, string? keyId) => error switch
    {
        ConnectionSecretError.UnknownKey =>
            $"The {kind} connection secret of tenant '{tenantId}' was encrypted with key id '{keyId}', which is not in NeonTenancy:Secrets:Keys. Keep old keys listed until every secret is re-encrypted.",
        ConnectionSecretError.AuthenticationFailed =>
            $"The {kind} connection secret of tenant '{tenantId}' (key id '{keyId}') failed authentication: it was modified, copied from another tenant or kind, or the key under that id changed.",
        _ => $"The {kind} connection secret of tenant '{tenantId}' is not a ciphertext of a supported format.",
    };
}
