using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>
/// Neon answered with a successful status but a body the client cannot use: empty, not JSON, truncated, or not the
/// documented shape (a value of the wrong type, a required field missing or null, an operation without an id).
/// <see cref="Field"/> names the JSON path to blame when there is one. A truncated body is transient
/// (<see cref="NeonTenancyException.IsTransient"/>); the others are not.
/// </summary>
/// <remarks>The message says what was wrong and where; it never carries the body.</remarks>
public sealed class NeonMalformedResponseException : NeonApiException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="statusCode">The (successful) status Neon answered with, if known.</param>
    /// <param name="field">The JSON path of the field to blame (for example <c>$.operation.id</c>), if any.</param>
    /// <param name="requestId">The request id, if known.</param>
    /// <param name="isTruncated">Whether the body broke off before its end.</param>
    /// <param name="innerException">The cause, if any.</param>
    public NeonMalformedResponseException(string message, HttpStatusCode? statusCode = null, string? field = null, string? requestId = null,
        bool isTruncated = false, Exception? innerException = null)
        : base(message, statusCode, errorCode: null, requestId, retryAfter: null, isTransient: isTruncated, innerException)
    {
        Field = field;
        IsTruncated = isTruncated;
    }

    /// <summary>Gets the JSON path of the field to blame (for example <c>$.operation.id</c>), or <see langword="null"/>.</summary>
    public string? Field { get; }

    /// <summary>Gets a value indicating whether the body broke off before its end (fewer bytes than <c>Content-Length</c>, or JSON cut off).</summary>
    public bool IsTruncated { get; }
}
