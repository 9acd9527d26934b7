using System.Diagnostics;
using System.Net;

namespace Neon.Tenancy.Api;

/// <summary>One client <see cref="Activity"/> per call (spanning its retries), with OpenTelemetry's HTTP client tags.</summary>
internal static class NeonApiTracing
{
    public static Activity? Start(NeonCall call)
    {
        if (!NeonApiDiagnostics.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = NeonApiDiagnostics.ActivitySource.StartActivity($"{call.Method} {call.Route}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(NeonApiDiagnostics.TagMethod, call.Method);
            activity.SetTag(NeonApiDiagnostics.TagRoute, call.Route);
            activity.SetTag(NeonApiDiagnostics.TagRequestId, call.RequestId);
            if (call.OperationId is not null)
            {
                activity.SetTag(NeonApiDiagnostics.TagOperationId, call.OperationId);
            }
        }

        return activity;
    }

    public static void Complete(Activity? activity, NeonCall call, HttpStatusCode? status, string? errorType)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (status is { } code)
        {
            activity.SetTag(NeonApiDiagnostics.TagStatus, (int)code);
        }

        activity.SetTag(NeonApiDiagnostics.TagResendCount, Math.Max(0, call.Attempts - 1));
        if (errorType is not null)
        {
            activity.SetTag(NeonApiDiagnostics.TagErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
