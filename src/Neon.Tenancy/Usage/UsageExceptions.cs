namespace Neon.Tenancy;

/// <summary>
/// A consumption history window that Neon would refuse: <c>From</c> not before <c>To</c>, before 2024-03-01, or further
/// back than the granularity allows (hourly 168 hours, daily 60 days, monthly 1 year). Thrown before any call.
/// </summary>
public sealed class UsageWindowException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="from">The requested start.</param>
    /// <param name="to">The requested end.</param>
    /// <param name="granularity">The requested granularity.</param>
    /// <param name="rule">The rule broken, in words.</param>
    public UsageWindowException(DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity, string rule)
        : base(FormattableString.Invariant($"Usage history window {from:O} to {to:O} ({granularity}) is not allowed: {rule}"))
    {
        From = from;
        To = to;
        Granularity = granularity;
    }

    /// <summary>The requested start.</summary>
    public DateTimeOffset From { get; }

    /// <summary>The requested end.</summary>
    public DateTimeOffset To { get; }

    /// <summary>The requested granularity.</summary>
    public UsageGranularity Granularity { get; }
}

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

/// <summary>The tenant has no Neon project yet (still provisioning, or failed before a project existed), so it has no usage to read.</summary>
public sealed class TenantProjectMissingException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">Its state in the catalog.</param>
    public TenantProjectMissingException(TenantId tenantId, TenantState state)
        : base($"Tenant '{tenantId}' has no Neon project yet (state {state}); it has no usage to read.")
    {
        TenantId = tenantId;
        State = state;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>Its state in the catalog.</summary>
    public TenantState State { get; }
}
