namespace Neon.Tenancy;

/// <summary>The tenant exists but cannot serve connections now: its state is not <see cref="TenantState.Ready"/>, or it has no connection secret of the requested kind.</summary>
public sealed class TenantNotReadyException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">The tenant's state in the catalog.</param>
    /// <param name="kind">The kind of connection requested.</param>
    /// <param name="missingSecret">Whether the tenant is ready but has no connection secret of <paramref name="kind"/>.</param>
    public TenantNotReadyException(TenantId tenantId, TenantState state, TenantConnectionKind kind, bool missingSecret = false)
        : base(missingSecret
            ? $"Tenant '{tenantId}' is {state} but has no {kind} connection secret in the catalog."
            : $"Tenant '{tenantId}' cannot serve connections: it is {state}, not Ready.")
    {
        TenantId = tenantId;
        State = state;
        Kind = kind;
        MissingSecret = missingSecret;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The tenant's state in the catalog (<see cref="TenantState.Suspended"/> for a tenant suspended by quota).</summary>
    public TenantState State { get; }

    /// <summary>The kind of connection requested.</summary>
    public TenantConnectionKind Kind { get; }

    /// <summary>Whether the tenant is ready but has no connection secret of <see cref="Kind"/>.</summary>
    public bool MissingSecret { get; }
}

/// <summary>
/// The global budget of physical connections (<see cref="ConnectionFactoryOptions.ConnectionBudget"/>) stayed spent for
/// <see cref="ConnectionFactoryOptions.BudgetWaitTimeout"/>. Transient: the caller may retry later or shed load.
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

/// <summary>
/// Connecting to the tenant kept failing transiently (a compute waking from scale-to-zero or being restored from
/// archive, a dropped connection) until the open deadline passed. <see cref="Exception.InnerException"/> is the last failure.
/// </summary>
public sealed class TenantUnavailableException : NeonTenancyException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">Pooled or direct.</param>
    /// <param name="elapsed">How long the factory tried.</param>
    /// <param name="attempts">How many connection attempts were made.</param>
    /// <param name="innerException">The last failure.</param>
    public TenantUnavailableException(TenantId tenantId, TenantConnectionKind kind, TimeSpan elapsed, int attempts, Exception? innerException)
        : base($"Tenant '{tenantId}' ({kind}) did not accept a connection within {elapsed.TotalSeconds:0.###} s ({attempts} attempts); last error: {innerException?.GetType().Name ?? "none"} {(innerException as Npgsql.PostgresException)?.SqlState}.", innerException)
    {
        TenantId = tenantId;
        Kind = kind;
        Elapsed = elapsed;
        Attempts = attempts;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>Pooled or direct.</summary>
    public TenantConnectionKind Kind { get; }

    /// <summary>How long the factory tried.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>How many connection attempts were made.</summary>
    public int Attempts { get; }
}
