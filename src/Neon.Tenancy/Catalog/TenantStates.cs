namespace Neon.Tenancy;

/// <summary>Stable storage names of <see cref="TenantState"/> values.</summary>
internal static class TenantStates
{
    public static string ToStorage(TenantState state) => state switch
    {
        TenantState.Provisioning => "provisioning",
        TenantState.Ready => "ready",
        TenantState.Suspended => "suspended",
        TenantState.Deleting => "deleting",
        TenantState.Deleted => "deleted",
        TenantState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown tenant state."),
    };

    public static TenantState FromStorage(string value) => value switch
    {
        "provisioning" => TenantState.Provisioning,
        "ready" => TenantState.Ready,
        "suspended" => TenantState.Suspended,
        "deleting" => TenantState.Deleting,
        "deleted" => TenantState.Deleted,
        "failed" => TenantState.Failed,
        _ => throw new FormatException($"Unknown stored tenant state '{value}'."),
    };

    public static bool IsDefined(TenantState state) => state is >= TenantState.Provisioning and <= TenantState.Failed;
}
