namespace Neon.Tenancy;

/// <summary>
/// Consumption history needs the Neon organization id (<c>NeonTenancy:Api:OrgId</c>) and none is configured. Thrown
/// before any call.
/// </summary>
public sealed class UsageOrgIdRequiredException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    public UsageOrgIdRequiredException()
        : base("Usage history reads Neon's consumption history, which requires an organization id: set NeonTenancy:Api:OrgId (NeonApiOptions.OrgId).")
    {
    }
}
