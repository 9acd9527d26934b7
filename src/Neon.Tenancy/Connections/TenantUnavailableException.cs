namespace Neon.Tenancy;

/// <summary>
/// Connecting to the tenant kept failing transiently (a compute waking from scale-to-zero or being restored from
/// archive, a dropped connection) until the open deadline passed. <see cref="Exception.InnerException"/> is the last failure.
/// </summary>
public sealed class TenantUnavailableException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">Pooled or direct.</param>
    /// <param name="elapsed">How long the factory tried.</param>
    /// <param name="attempts">How many connection attempts were made.</param>
    /// <param name="innerException">The last failure.</param>
    public TenantUnavailableException(TenantId tenantId, TenantConnectionKind kind, TimeSpan elapsed, int attempts, Exception? innerException)
        : base($"Tenant '{tenantId}' ({kind}) did not accept a connection within {elapsed.TotalSeconds:0.###} s ({attempts} attempts); last error: {innerException?.GetType().Name ?? "none"} {(innerException as Npgsql.PostgresException)?.SqlState}.", innerException)
    {
        TenantId = tenantId;
        Kind = kind;
        Elapsed = elapsed;
        Attempts = attempts;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>Pooled or direct.</summary>
    public TenantConnectionKind Kind { get; }

    /// <summary>How long the factory tried.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>How many connection attempts were made.</summary>
    public int Attempts { get; }
}
