namespace Neon.Tenancy;

/// <summary>
/// The one rule of "may this failure pass by itself?" for causes the SDK wraps or retries (provisioning, migrations,
/// fleet work): an SDK or API exception says so itself, Npgsql's does too (a broken or timed-out connection), a timeout
/// is; anything else (a bug in user code, a refused grant, a failed migration script) repeats until fixed.
/// </summary>
internal static class TransientFailures
{
    public static bool IsTransient(Exception? cause) => cause switch
    {
        NeonTenancyException tenancy => tenancy.IsTransient,
        Npgsql.NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        _ => false,
    };
}
