namespace Neon.Tenancy;

/// <summary>A plan name that is not configured in <see cref="TenantPlanOptions"/>.</summary>
public sealed class UnknownPlanException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="plan">The unknown plan name.</param>
    public UnknownPlanException(string plan)
        : base($"Plan '{plan}' is not configured (NeonTenancy:Plans:Plans).")
    {
        Plan = plan;
    }

    /// <summary>The unknown plan name.</summary>
    public string Plan { get; }
}
