using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The default <see cref="IConnectionSecretProtector"/>: AES-256-GCM with a key ring.
/// </summary>
/// <remarks>
/// <para>Format (version 1): <c>[0x01][key id length: 1 byte][key id: ASCII][nonce: 12 bytes][ciphertext][tag: 16 bytes]</c>.</para>
/// <para>Associated data: <c>[0x01][key id length][key id][kind: 1 byte][tenant id: ASCII]</c>, so a ciphertext only
/// decrypts for the tenant and kind it was made for, and its header cannot be edited.</para>
/// <para>The UTF-8 plaintext buffer is zeroed after use; the returned string cannot be (strings are immutable).</para>
/// </remarks>
internal sealed class AesGcmConnectionSecretProtector : IConnectionSecretProtector
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int MaxAssociatedDataSize = 2 + ConnectionSecretKeyRing.MaxKeyIdLength + 1 + TenantId.MaxLength;

    private readonly ConnectionSecretKeyRing _keyRing;

    public AesGcmConnectionSecretProtector(IOptions<NeonTenancyOptions> options)
        : this(ConnectionSecretKeyRing.Create(options.Value.Secrets))
    {
    }

    internal AesGcmConnectionSecretProtector(ConnectionSecretKeyRing keyRing) => _keyRing = keyRing;

    public byte[] Protect(TenantId tenantId, ConnectionSecretKind kind, string connectionString)
    {
        TenantId.ThrowIfDefault(tenantId, nameof(tenantId));
        ArgumentNullException.ThrowIfNull(connectionString);
        RequireKind(kind);

        var keyId = _keyRing.CurrentKeyId;
        var headerSize = 2 + keyId.Length;
        var plaintextSize = Encoding.UTF8.GetByteCount(connectionString);
        var output = new byte[headerSize + NonceSize + plaintextSize + TagSize];
        WriteHeader(output, keyId);
        var nonce = output.AsSpan(headerSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        var plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(plaintextSize, 1));
        try
        {
            var written = Encoding.UTF8.GetBytes(connectionString, plaintext);
            Span<byte> aad = stackalloc byte[MaxAssociatedDataSize];
            var aadLength = WriteAssociatedData(aad, output.AsSpan(0, headerSize), kind, tenantId);
            using var aes = new AesGcm(_keyRing.CurrentKey, TagSize);
            aes.Encrypt(
                nonce,
                plaintext.AsSpan(0, written),
                output.AsSpan(headerSize + NonceSize, plaintextSize),
                output.AsSpan(headerSize + NonceSize + plaintextSize, TagSize),
                aad[..aadLength]);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, plaintextSize));
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    public string Unprotect(TenantId tenantId, ConnectionSecretKind kind, ReadOnlySpan<byte> protectedSecret)
    {
        TenantId.ThrowIfDefault(tenantId, nameof(tenantId));
        RequireKind(kind);

        if (protectedSecret.Length < 2 || protectedSecret[0] != FormatVersion)
        {
            throw new ConnectionSecretException(ConnectionSecretError.Malformed, tenantId, kind, keyId: null);
        }

        var keyIdLength = protectedSecret[1];
        var headerSize = 2 + keyIdLength;
        if (keyIdLength is 0 or > ConnectionSecretKeyRing.MaxKeyIdLength || protectedSecret.Length < headerSize + NonceSize + TagSize)
        {
            throw new ConnectionSecretException(ConnectionSecretError.Malformed, tenantId, kind, keyId: null);
        }

        var keyIdBytes = protectedSecret.Slice(2, keyIdLength);
        if (!IsPrintableAscii(keyIdBytes))
        {
            throw new ConnectionSecretException(ConnectionSecretError.Malformed, tenantId, kind, keyId: null);
        }

        var keyId = Encoding.ASCII.GetString(keyIdBytes);
        if (!_keyRing.TryGetKey(keyId, out var key))
        {
            throw new ConnectionSecretException(ConnectionSecretError.UnknownKey, tenantId, kind, keyId);
        }

        var nonce = protectedSecret.Slice(headerSize, NonceSize);
        var ciphertextSize = protectedSecret.Length - headerSize - NonceSize - TagSize;
        var ciphertext = protectedSecret.Slice(headerSize + NonceSize, ciphertextSize);
        var tag = protectedSecret[^TagSize..];

        Span<byte> aad = stackalloc byte[MaxAssociatedDataSize];
        var aadLength = WriteAssociatedData(aad, protectedSecret[..headerSize], kind, tenantId);
        var plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(ciphertextSize, 1));
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext.AsSpan(0, ciphertextSize), aad[..aadLength]);
            return Encoding.UTF8.GetString(plaintext, 0, ciphertextSize);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new ConnectionSecretException(ConnectionSecretError.AuthenticationFailed, tenantId, kind, keyId, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, ciphertextSize));
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    private static void WriteHeader(Span<byte> destination, string keyId)
    {
        destination[0] = FormatVersion;
        destination[1] = (byte)keyId.Length;
        Encoding.ASCII.GetBytes(keyId, destination.Slice(2, keyId.Length));
    }

    private static int WriteAssociatedData(Span<byte> destination, ReadOnlySpan<byte> header, ConnectionSecretKind kind, TenantId tenantId)
    {
        header.CopyTo(destination);
        destination[header.Length] = (byte)kind;
        var tenantBytes = Encoding.ASCII.GetBytes(tenantId.Value, destination[(header.Length + 1)..]);
        return header.Length + 1 + tenantBytes;
    }

    private static bool IsPrintableAscii(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    private static void RequireKind(ConnectionSecretKind kind)
    {
        if (kind is not (ConnectionSecretKind.Pooled or ConnectionSecretKind.Direct or ConnectionSecretKind.ApplicationPooled or ConnectionSecretKind.ApplicationDirect))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown connection secret kind.");
        }
    }
}
