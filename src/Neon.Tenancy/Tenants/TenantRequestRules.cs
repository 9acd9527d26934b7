namespace Neon.Tenancy;

/// <summary>
/// The rules for what callers and configuration name: tenant ids at entry points, database and role names (the
/// provisioning options' defaults and a request's own), plan names, regions and the restore's preserved branch name
/// (the provisioning requests apply them in <see cref="ProvisioningRequestRules"/>).
/// One place, used by the options validators and by every public method before it calls anything (no catalog write,
/// no API call), so a name the options refuse is refused in a request too. Messages say which setting or property is
/// wrong and why; they never quote the value (it may hold control characters or an injection attempt).
/// </summary>
internal static class TenantRequestRules
{
    /// <summary>Neon's and PostgreSQL's identifier limit, in bytes (the names allowed here are ASCII).</summary>
    public const int MaxNameLength = 63;

    /// <summary>The longest plan name (the plan book's rule; the catalog stores it and the change feed carries it).</summary>
    public const int MaxPlanNameLength = 64;

    /// <summary>Neon's limit on a branch name (<c>BranchCreateRequest.branch.name</c>: 1 to 256 characters).</summary>
    public const int MaxBranchNameLength = 256;

    /// <summary>The longest region id accepted (Neon's are like <c>aws-eu-central-1</c>).</summary>
    public const int MaxRegionLength = 64;

    /// <summary>What a role name must not be, in words for messages.</summary>
    public const string ReservedRoleNames = "pg_*, neon_*, public, none, current_user, current_role, session_user, user, cloud_admin";

    /// <summary>What a database name must not be, in words for messages.</summary>
    public const string ReservedDatabaseNames = "postgres, template0, template1";

    // PostgreSQL reserves the pg_ prefix and the pseudo-roles; Neon reserves neon_* (neon_superuser, neon_service, ...)
    // and its own administrator role cloud_admin.
    private static readonly string[] ReservedRolePrefixes = ["pg_", "neon_"];
    private static readonly string[] ReservedRoles = ["public", "none", "current_user", "current_role", "session_user", "user", "cloud_admin"];
    private static readonly string[] ReservedDatabases = ["postgres", "template0", "template1"];

    /// <summary>Throws unless <paramref name="tenantId"/> is a parsed tenant id.</summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    public static void Validate(TenantId tenantId) => TenantId.ThrowIfDefault(tenantId, nameof(tenantId));

    /// <exception cref="ArgumentException">The tenant id is <c>default(TenantId)</c> or the plan name breaks the rule.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="plan"/> is null.</exception>
    public static void ValidatePlanChange(TenantId tenantId, string plan)
    {
        TenantId.ThrowIfDefault(tenantId, nameof(tenantId));
        ArgumentNullException.ThrowIfNull(plan);
        if (PlanNameProblem(plan) is { } problem)
        {
            throw new ArgumentException($"Tenant '{tenantId}': the plan name {problem}", nameof(plan));
        }
    }

    /// <summary>Why a database name is refused (a sentence starting with "must"), or null when it is fine.</summary>
    public static string? DatabaseNameProblem(string? value) =>
        IdentifierProblem(value) ?? (Array.Exists(ReservedDatabases, r => string.Equals(r, value, StringComparison.OrdinalIgnoreCase))
            ? $"must not be a database every Neon branch already has ({ReservedDatabaseNames})."
            : null);

    /// <summary>Why a role name is refused (a sentence starting with "must"), or null when it is fine.</summary>
    public static string? RoleNameProblem(string? value) =>
        IdentifierProblem(value) ?? (IsReservedRole(value!)
            ? $"must not be a name PostgreSQL or Neon reserves ({ReservedRoleNames})."
            : null);

    /// <summary>Why a plan name is refused, or null when it is fine.</summary>
    public static string? PlanNameProblem(string? value) =>
        value is { Length: > 0 and <= MaxPlanNameLength } && value.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : $"must be 1 to {MaxPlanNameLength} characters of letters, digits, '-', '_' and '.'.";

    /// <summary>Why a Neon branch name is refused, or null when it is fine.</summary>
    public static string? BranchNameProblem(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxBranchNameLength)
        {
            return $"must be 1 to {MaxBranchNameLength} characters, not only whitespace (Neon's branch name limit).";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                return $"must not contain control characters or broken UTF-16; found one at position {i}.";
            }
        }

        return char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) ? "must not start or end with whitespace." : null;
    }

    /// <summary>Why a region id is refused, or null when it is fine.</summary>
    public static string? RegionProblem(string? value) =>
        value is { Length: > 0 and <= MaxRegionLength } && value.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? null
            : $"must be a Neon region id: 1 to {MaxRegionLength} characters of a-z, 0-9 and '-' (for example aws-eu-central-1).";

    private static bool IsReservedRole(string value) =>
        Array.Exists(ReservedRolePrefixes, p => value.StartsWith(p, StringComparison.OrdinalIgnoreCase))
        || Array.Exists(ReservedRoles, r => string.Equals(r, value, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Names Neon accepts and PostgreSQL takes without surprises: 1 to 63 characters of a-z, A-Z, 0-9, '_' and '-',
    /// starting with a letter or '_'.
    /// </summary>
    private static string? IdentifierProblem(string? value)
    {
        var ok = !string.IsNullOrEmpty(value) && value.Length <= MaxNameLength && (char.IsAsciiLetter(value[0]) || value[0] == '_')
            && value.All(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        return ok ? null : $"must be 1 to {MaxNameLength} characters of a-z, A-Z, 0-9, '_' and '-', starting with a letter or '_'.";
    }

    /// <summary>Throws one <see cref="ArgumentException"/> naming every rule broken, when any is.</summary>
    internal static void Throw(TenantId tenantId, List<string> failures, string paramName)
    {
        if (failures.Count > 0)
        {
            throw new ArgumentException($"Tenant '{tenantId}': " + string.Join(" ", failures), paramName);
        }
    }
}
