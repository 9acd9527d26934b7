using System.Globalization;
using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Builds <see cref="TenantRecord.FailureReason"/>: the step plus the kind of failure (Neon status and error code and
/// request id, a PostgreSQL SQLSTATE, or the exception type). Exception messages are never used: an initializer's or
/// Npgsql's message may quote a connection string.
/// </summary>
internal static class TenantFailureReasons
{
    public const int MaxLength = 200;

    /// <summary>The reason a lifecycle operation (<c>delete</c>, <c>plan change</c>, ...) or provisioning step failed.</summary>
    public static string Describe(string operation, Exception exception)
    {
        var what = exception switch
        {
            NeonApiException { StatusCode: { } status } neon =>
                "Neon answered " + ((int)status).ToString(CultureInfo.InvariantCulture)
                + (string.IsNullOrEmpty(neon.ErrorCode) ? string.Empty : " " + neon.ErrorCode)
                + RequestId(neon.RequestId),
            NeonOperationTimeoutException timeout => "Neon operations still running after "
                + timeout.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s (" + timeout.PendingOperations.Count.ToString(CultureInfo.InvariantCulture) + ")",
            NeonOperationFailedException failed => "Neon operation " + failed.Action + " ended " + failed.Status,
            NeonApiException neon => exception.GetType().Name + RequestId(neon.RequestId),
            PostgresException postgres => "PostgreSQL error " + postgres.SqlState,
            _ => exception.GetType().Name,
        };
        var reason = operation + ": " + what;
        return reason.Length <= MaxLength ? reason : reason[..MaxLength];
    }

    private static string RequestId(string? requestId) => string.IsNullOrEmpty(requestId) ? string.Empty : " (request id " + requestId + ")";
}
