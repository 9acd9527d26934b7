using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>Classifies Neon answers by status and <c>code</c>, shared by the retry layer and the error factory.</summary>
internal static class NeonErrorClassifier
{
    /// <summary>HTTP 423 Locked (not in <see cref="HttpStatusCode"/>).</summary>
    internal const HttpStatusCode Locked = (HttpStatusCode)423;

    /// <summary>Whether a 423 comes from an exhausted quota (not transient) rather than running operations.</summary>
    internal static bool IsQuotaLock(string? code, string? message) =>
        (code is not null && code.Contains("QUOTA", StringComparison.OrdinalIgnoreCase)) ||
        (message is not null && message.Contains("quota", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a 422 is a plan limit (<c>..._LIMIT_EXCEEDED</c>).</summary>
    internal static bool IsPlanLimit(string? code) =>
        code is not null && code.EndsWith("_LIMIT_EXCEEDED", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a 400 says that <c>org_id</c> is required.</summary>
    internal static bool IsOrgIdRequired(string? message) =>
        message is not null &&
        message.Contains("org_id", StringComparison.OrdinalIgnoreCase) &&
        message.Contains("required", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the same call may succeed later (quota-caused 423 excluded by the caller).</summary>
    internal static bool IsTransientStatus(HttpStatusCode status) =>
        status is Locked or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;
}
