namespace Neon.Tenancy;

/// <summary>
/// The global budget of physical connections (<see cref="TenantConnectionOptions.ConnectionBudget"/>) stayed spent for
/// <see cref="TenantConnectionOptions.BudgetWaitTimeout"/>. Transient: the caller may retry later or shed load.
/// </summary>
/// <remarks>
/// The message says what held the budget when the caller gave up, in counts only (no other tenant's id: the message
/// may reach this tenant's caller, as the ASP.NET Core sample's problem details do): connections open or opening
/// through the factory (<see cref="ITenantConnectionFactory.OpenConnectionAsync"/>, <see cref="ITenantContext"/>),
/// and slots covering idle pooled connections (normally 0: waiting callers reclaim those). Data sources handed out by
/// <see cref="ITenantConnectionFactory.GetDataSourceAsync"/> hold no slot.
/// </remarks>
public sealed class TenantConnectionBudgetExceededException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant the connection was for.</param>
    /// <param name="budget">The configured budget.</param>
    /// <param name="waited">How long the caller waited.</param>
    /// <param name="openConnections">Connections open or opening through the factory when the caller gave up.</param>
    /// <param name="idleConnections">Budget slots covering idle pooled connections then.</param>
    /// <param name="waitingCallers">Callers waiting for the budget then, this one included.</param>
    public TenantConnectionBudgetExceededException(TenantId tenantId, int budget, TimeSpan waited, int openConnections, int idleConnections, int waitingCallers)
        : base($"No connection for tenant '{tenantId}': the {budget} connections of NeonTenancy:Connections:ConnectionBudget stayed in use for {waited.TotalSeconds:0.###} s, "
            + $"held by {openConnections} connections open or opening through the factory and {idleConnections} idle in pools, with {waitingCallers} callers waiting "
            + "(data sources from GetDataSourceAsync hold none). Close connections when the unit of work ends, shed load, or raise the budget.")
    {
        TenantId = tenantId;
        Budget = budget;
        Waited = waited;
        OpenConnections = openConnections;
        IdleConnections = idleConnections;
        WaitingCallers = waitingCallers;
    }

    /// <summary>The tenant the connection was for.</summary>
    public TenantId TenantId { get; }

    /// <summary>The configured budget of physical connections.</summary>
    public int Budget { get; }

    /// <summary>How long the caller waited for the budget.</summary>
    public TimeSpan Waited { get; }

    /// <summary>
    /// Connections open (or being opened) through the factory, across all tenants, when the caller gave up: what held
    /// the budget. A scope's connection (<see cref="ITenantContext.GetConnectionAsync"/>) counts until the scope ends.
    /// </summary>
    public int OpenConnections { get; }

    /// <summary>Budget slots that covered idle pooled connections when the caller gave up (waiting callers reclaim these, so normally 0).</summary>
    public int IdleConnections { get; }

    /// <summary>Callers waiting for the budget when this one gave up, this one included.</summary>
    public int WaitingCallers { get; }
}
