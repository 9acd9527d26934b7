namespace Neon.Tenancy;

/// <summary>The tenant's lifecycle state does not allow the operation (for example provisioning a deleted tenant).</summary>
public sealed class TenantStateException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="operation">What was attempted.</param>
    public TenantStateException(TenantId tenantId, TenantState state, string operation)
        : this(tenantId, state, operation, reason: null)
    {
    }

    /// <summary>Creates the exception with the reason the state refuses the operation and what to do instead.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="reason">Why, and what to call instead; no secret. <see langword="null"/> for none.</param>
    public TenantStateException(TenantId tenantId, TenantState state, string operation, string? reason)
        : base($"Tenant '{tenantId}' is {state}: {operation} is not possible in that state" + (string.IsNullOrEmpty(reason) ? "." : $" ({reason})."))
    {
        TenantId = tenantId;
        State = state;
        Operation = operation;
    }

    /// <summary>What was attempted, for example <c>provisioning</c> or <c>recover</c>.</summary>
    public string Operation { get; }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The state that refused the operation.</summary>
    public TenantState State { get; }
}
