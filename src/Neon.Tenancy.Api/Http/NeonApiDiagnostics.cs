using System.Diagnostics;
using System.Reflection;

namespace Neon.Tenancy.Api;

/// <summary>
/// Every telemetry name of the Neon API client, in one place: the <see cref="ActivitySource"/> (one <see cref="Activity"/>
/// per call, spanning its retries; <see cref="NeonApiTracing"/> writes it) and its tags, which follow OpenTelemetry's
/// HTTP client conventions. The client has no <c>Meter</c>; its log event ids are public (<see cref="NeonApiEventId"/>).
/// </summary>
/// <remarks>
/// <c>duplicates</c> pairs the tag list with other lists of string constants by shape only; it is a list of names, not logic.
/// </remarks>
internal static class NeonApiDiagnostics
{
    /// <summary>The name of the <see cref="ActivitySource"/> (shared by every Neon.Tenancy package).</summary>
    internal const string SourceName = "Neon.Tenancy";

    internal const string TagMethod = "http.request.method";
    internal const string TagRoute = "url.template";
    internal const string TagStatus = "http.response.status_code";
    internal const string TagResendCount = "http.request.resend_count";
    internal const string TagRequestId = "neon.request_id";
    internal const string TagOperationId = "neon.operation_id";
    internal const string TagErrorType = "error.type";

    /// <summary>The package version without build metadata (<c>+commit</c>), e.g. <c>0.1.0-preview</c>.</summary>
    internal static readonly string Version = GetVersion();

    internal static readonly ActivitySource ActivitySource = new(SourceName, Version);

    private static string GetVersion()
    {
        var assembly = typeof(NeonApiDiagnostics).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? version[..plus] : version;
    }
}
