namespace Neon.Tenancy;

/// <summary>What happened in a <see cref="TenantChange"/>.</summary>
public enum TenantChangeKind
{
    /// <summary>A tenant was reserved.</summary>
    Reserved = 1,

    /// <summary>A tenant's record was updated.</summary>
    Updated = 2,

    /// <summary>A tenant's record was removed.</summary>
    Removed = 3,

    /// <summary>
    /// The feed was (re)established after it was not listening (for example after a dropped connection): changes
    /// in between may have been missed, so treat every cached tenant as changed. Carries no tenant.
    /// </summary>
    Reset = 4,
}
