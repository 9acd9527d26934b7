namespace Neon.Tenancy;

/// <summary>An update was based on a stale <see cref="TenantRecord.Version"/>: re-read the tenant and retry.</summary>
public sealed class TenantConcurrencyException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="expectedVersion">The version the update was based on.</param>
    /// <param name="actualVersion">The version stored now.</param>
    public TenantConcurrencyException(TenantId tenantId, long expectedVersion, long actualVersion)
        : base($"Tenant '{tenantId}' was changed concurrently: the update expected version {expectedVersion} but the catalog holds version {actualVersion}.")
    {
        TenantId = tenantId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The version the update was based on.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version stored when the update was refused.</summary>
    public long ActualVersion { get; }
}
