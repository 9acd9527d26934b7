namespace Neon.Tenancy;

/// <summary>The rules of <see cref="TenantRequestRules"/> applied to the provider's requests, before anything is called.</summary>
internal static class ProvisioningRequestRules
{
    /// <exception cref="ArgumentException">The tenant id is <c>default(TenantId)</c> or the request breaks a rule.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static void Validate(TenantId tenantId, TenantProvisionRequest request)
    {
        TenantId.ThrowIfDefault(tenantId, nameof(tenantId));
        ArgumentNullException.ThrowIfNull(request);
        var failures = new List<string>();
        if (TenantRequestRules.PlanNameProblem(request.Plan) is { } plan)
        {
            failures.Add("TenantProvisionRequest.Plan " + plan);
        }

        if (request.DatabaseName is not null && TenantRequestRules.DatabaseNameProblem(request.DatabaseName) is { } database)
        {
            failures.Add("TenantProvisionRequest.DatabaseName " + database);
        }

        if (request.RoleName is not null && TenantRequestRules.RoleNameProblem(request.RoleName) is { } role)
        {
            failures.Add("TenantProvisionRequest.RoleName " + role);
        }

        if (request.Region is not null && TenantRequestRules.RegionProblem(request.Region) is { } region)
        {
            failures.Add("TenantProvisionRequest.Region " + region);
        }

        if (request.PostgresVersion is { } version && version is < 14 or > 18)
        {
            failures.Add("TenantProvisionRequest.PostgresVersion must be 14 to 18 when set.");
        }

        TenantRequestRules.Throw(tenantId, failures, nameof(request));
    }

    /// <exception cref="ArgumentException">The tenant id is <c>default(TenantId)</c> or the request breaks a rule.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static void Validate(TenantId tenantId, TenantRestoreRequest request)
    {
        TenantId.ThrowIfDefault(tenantId, nameof(tenantId));
        ArgumentNullException.ThrowIfNull(request);
        var failures = new List<string>();
        if (request.Timestamp is null == string.IsNullOrEmpty(request.Lsn))
        {
            failures.Add("TenantRestoreRequest needs exactly one of Timestamp and Lsn.");
        }

        if (request.PreserveUnderName is not null && TenantRequestRules.BranchNameProblem(request.PreserveUnderName) is { } name)
        {
            failures.Add("TenantRestoreRequest.PreserveUnderName " + name);
        }

        TenantRequestRules.Throw(tenantId, failures, nameof(request));
    }
}
