using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>
/// Neon answered 423 Locked after the retries: the project still has running operations, or it is locked because
/// a quota is exhausted (then <see cref="NeonTenancyException.IsTransient"/> is <see langword="false"/>).
/// </summary>
public sealed class NeonLockedException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="errorCode">Neon's error <c>code</c>, if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> Neon sent, if any.</param>
    /// <param name="isQuotaExceeded">Whether the lock comes from an exhausted quota (not transient).</param>
    public NeonLockedException(string message, string? errorCode = null, string? requestId = null, TimeSpan? retryAfter = null, bool isQuotaExceeded = false)
        : base(message, (HttpStatusCode)423, errorCode, requestId, retryAfter, isTransient: !isQuotaExceeded)
    {
        IsQuotaExceeded = isQuotaExceeded;
    }

    /// <summary>Gets a value indicating whether the lock comes from an exhausted quota; retrying will not help until the quota changes.</summary>
    public bool IsQuotaExceeded { get; }
}
