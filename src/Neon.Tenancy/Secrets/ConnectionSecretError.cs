namespace Neon.Tenancy;

/// <summary>Why a connection secret could not be protected or unprotected.</summary>
public enum ConnectionSecretError
{
    /// <summary>The ciphertext names a key id that is not in the key ring (was it removed too early?).</summary>
    UnknownKey = 1,

    /// <summary>The ciphertext failed authentication: tampered, copied from another tenant or kind, or the key under its id changed.</summary>
    AuthenticationFailed = 2,

    /// <summary>The data is not a ciphertext of a supported format.</summary>
    Malformed = 3,
}
