using System.Buffers;

namespace Neon.Tenancy;

/// <summary>Rules both warm-pool stores share, so they behave identically. Messages name fields and ids, never a value that may be a secret.</summary>
internal static class WarmPoolStoreRules
{
    private static readonly SearchValues<char> IdCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    /// <exception cref="ArgumentException">A field is missing, empty where it may not be, or too long.</exception>
    public static void Validate(WarmPoolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        RequireId(entry.Id, nameof(entry));
        if (entry.Region is null || entry.Region.Length > TenantRequestRules.MaxRegionLength)
        {
            throw Invalid(entry, $"Region must be a Neon region id of at most {TenantRequestRules.MaxRegionLength} characters, or \"\" for sign-ups without a region.");
        }

        if (entry.PlanClass is null || entry.PlanClass.Length > TenantRequestRules.MaxPlanNameLength)
        {
            throw Invalid(entry, $"PlanClass must be a plan name of at most {TenantRequestRules.MaxPlanNameLength} characters, or \"\" without plans.");
        }

        if (string.IsNullOrEmpty(entry.ProjectName) || entry.ProjectName.Length > TenantProjectNames.MaxLength)
        {
            throw Invalid(entry, $"ProjectName must be 1 to {TenantProjectNames.MaxLength} characters.");
        }

        if (string.IsNullOrEmpty(entry.DatabaseName) || string.IsNullOrEmpty(entry.RoleName))
        {
            throw Invalid(entry, "DatabaseName and RoleName are required.");
        }

        if (!Enum.IsDefined(entry.State))
        {
            throw Invalid(entry, $"State {(int)entry.State} is not a defined WarmPoolEntryState.");
        }

        if (entry.ClaimedBy is { } claimer)
        {
            CatalogRules.RequireTenant(claimer, nameof(entry));
        }
    }

    /// <exception cref="ArgumentException"><paramref name="id"/> is not 1 to <see cref="WarmPoolEntry.MaxIdLength"/> characters of a-z and 0-9.</exception>
    public static void RequireId(string id, string paramName)
    {
        if (string.IsNullOrEmpty(id) || id.Length > WarmPoolEntry.MaxIdLength || id.AsSpan().ContainsAnyExcept(IdCharacters))
        {
            throw new ArgumentException($"Warm-pool entry Id must be 1 to {WarmPoolEntry.MaxIdLength} characters of a-z and 0-9.", paramName);
        }
    }

    /// <exception cref="ArgumentException">The tenant is missing, or a field the fit compares is null.</exception>
    public static void Validate(WarmPoolClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CatalogRules.RequireTenant(request.TenantId, nameof(request));
        if (request.Region is null || request.PlanClass is null || request.DatabaseName is null || request.RoleName is null || request.Bind is null)
        {
            throw new ArgumentException(
                $"The warm-pool claim of tenant '{request.TenantId}' needs a Region and a PlanClass (\"\" for none), a DatabaseName, a RoleName and Bind.", nameof(request));
        }
    }

    /// <summary>The tenant's new record for <paramref name="entry"/>: <see cref="WarmPoolClaimRequest.Bind"/>'s, which must be the claiming tenant's.</summary>
    /// <exception cref="InvalidOperationException">Bind returned no record, or another tenant's.</exception>
    public static TenantRecord Bind(WarmPoolClaimRequest request, WarmPoolEntry entry)
    {
        var record = request.Bind(entry);
        if (record is null || record.TenantId != request.TenantId)
        {
            throw new InvalidOperationException($"The warm-pool claim of tenant '{request.TenantId}' must bind that tenant's record; Bind returned {(record is null ? "none" : $"tenant '{record.TenantId}'")}.");
        }

        return record;
    }

    /// <summary>An entry with that id exists (<see cref="IWarmPoolStore.AddAsync"/>).</summary>
    public static InvalidOperationException Exists(string id) => new($"Warm-pool entry '{id}' exists already.");

    /// <summary>The tenant is the claimer of another entry already (at most one per tenant).</summary>
    public static InvalidOperationException ClaimHeld(TenantId tenantId) =>
        new($"Tenant '{tenantId}' is the claimer of another warm-pool entry already; a tenant holds at most one claim (finish or remove it first).");

    private static ArgumentException Invalid(WarmPoolEntry entry, string rule) => new($"Warm-pool entry '{entry.Id}': {rule}", nameof(entry));
}
