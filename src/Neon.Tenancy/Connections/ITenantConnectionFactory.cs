using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Opens connections to tenants' databases: the request path of every tenant. Thread-safe; register once (singleton).
/// </summary>
/// <remarks>
/// <para>Per tenant and <see cref="TenantConnectionKind"/> the factory keeps one <see cref="NpgsqlDataSource"/> (and so
/// one Npgsql pool) in a bounded LRU cache. A cache hit costs a dictionary lookup; a miss reads the tenant catalog once,
/// however many callers miss together, and never calls the Neon API.</para>
/// <para>Evicting a data source (capacity, idle expiry, a catalog change) never breaks a connection in use: the data
/// source is disposed once its last connection is closed (with a global budget), or at once while Npgsql keeps the
/// connections already open on it working (without one, <see cref="TenantConnectionOptions.ConnectionBudget"/> 0).</para>
/// <para><b>Who owns what</b>, by the verb: <c>Open...</c> hands the caller a new connection the caller owns and
/// disposes (<see cref="OpenConnectionAsync"/>); <c>Get...</c> hands out something owned elsewhere that the caller
/// must not dispose: <see cref="GetDataSourceAsync"/> (owned by the factory), <see cref="ITenantContext.GetConnectionAsync"/>
/// and <see cref="ITenantContext.Connection"/> (owned by the scope, closed when it ends).</para>
/// </remarks>
public interface ITenantConnectionFactory
{
    /// <summary>
    /// Opens a connection to the tenant's database, owned by the caller. Dispose it when done (<c>await using</c>): that
    /// returns it to the pool, gives back its budget slot and, for an evicted data source, lets the factory dispose it.
    /// </summary>
    /// <remarks>
    /// <para>On a cache hit this is a lookup, a lock-free reference count and Npgsql's own
    /// <see cref="NpgsqlDataSource.OpenConnectionAsync(CancellationToken)"/> (without a global budget: the lookup and
    /// Npgsql's open only); the cold-start retry is entered only when that fails. The open deadline counts from the call on a miss and from the first failed attempt on a hit.</para>
    /// <para>Connections killed while idle in the pool: Npgsql hands out an idle pooled connection without a round trip,
    /// so without checking it. When the tenant's compute was restarted, suspended or restored while the connection sat
    /// idle (Neon terminates it with SQLSTATE <c>57P01</c>, <see cref="PostgresErrorCodes.AdminShutdown"/>), the open
    /// succeeds and the first command on that connection throws a <see cref="PostgresException"/> with that SQLSTATE;
    /// the connection is then broken, and the factory closes the tenant's other idle connections with it. Dispose it and
    /// retry the unit of work: the next open gets a live connection (riding out a waking compute within the open
    /// deadline). Idle connections are closed after <see cref="TenantConnectionOptions.ConnectionIdleLifetime"/>, which
    /// must be shorter than <see cref="TenantConnectionOptions.SuspendTimeout"/>, so a suspend for inactivity finds none:
    /// this happens on restarts, restores, password resets and suspends on purpose (quota). The factory does not check
    /// connections on open: that would cost a round trip to the compute on every open.</para>
    /// </remarks>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">Pooled (default) or direct.</param>
    /// <param name="cancellationToken">Cancels waiting and connecting.</param>
    /// <returns>An open connection.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not <see cref="TenantState.Ready"/> (for example suspended by quota; <see cref="TenantStateException.State"/> says which state), or has no connection secret of this kind (the message says which); <see cref="TenantStateException.Operation"/> is <c>connect</c>.</exception>
    /// <exception cref="TenantConnectionBudgetExceededException">The global budget of physical connections stayed spent by connections in use for <see cref="TenantConnectionOptions.BudgetWaitTimeout"/> (slots covering only idle pooled connections are reclaimed first, without waiting).</exception>
    /// <exception cref="TenantUnavailableException">Connecting kept failing transiently (a waking or restoring compute) until the open deadline.</exception>
    /// <exception cref="ConnectionSecretException">The tenant's connection secret could not be decrypted.</exception>
    /// <exception cref="NpgsqlException">A non-transient connection error, for example an authentication failure that a fresh catalog read did not fix.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<NpgsqlConnection> OpenConnectionAsync(TenantId tenantId, TenantConnectionKind kind = TenantConnectionKind.Pooled, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the tenant's data source, for libraries that insist on an <see cref="NpgsqlDataSource"/>. The factory owns
    /// it: never dispose it. For EF Core, give <c>UseNpgsql</c> the scope's connection instead
    /// (<see cref="ITenantContext.Connection"/>); Dapper works on the connection from <see cref="OpenConnectionAsync"/>.
    /// </summary>
    /// <remarks>
    /// <para><b>What it holds: no slot of the global connection budget.</b> The factory cannot see connections opened on
    /// the data source directly, so they are outside <see cref="TenantConnectionOptions.ConnectionBudget"/>: at most
    /// the pool's <see cref="TenantConnectionOptions.MaxPoolSize"/> (or the plan's) per tenant and kind, on top of the
    /// budget, and they share the pool with the factory's own connections. Holding the pool's worth instead would let a
    /// few tenants' hand-outs spend the whole budget on connections that mostly do not exist. Such connections get no
    /// cold-start retry either, and may be closed when idle to make room for budgeted ones. Prefer
    /// <see cref="OpenConnectionAsync"/> wherever a connection will do.</para>
    /// <para>Ask again per unit of work (request, job) instead of keeping it. A data source handed out here stays usable
    /// for at least <see cref="TenantConnectionOptions.RetiredDataSourceGracePeriod"/> after it was last handed out,
    /// even when evicted meanwhile.</para>
    /// </remarks>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">Pooled (default) or direct.</param>
    /// <param name="cancellationToken">Cancels waiting for the catalog read of a cache miss.</param>
    /// <returns>The tenant's data source.</returns>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not <see cref="TenantState.Ready"/> or has no connection secret of this kind (<see cref="TenantStateException.Operation"/> <c>connect</c>).</exception>
    /// <exception cref="ConnectionSecretException">The tenant's connection secret could not be decrypted.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<NpgsqlDataSource> GetDataSourceAsync(TenantId tenantId, TenantConnectionKind kind = TenantConnectionKind.Pooled, CancellationToken cancellationToken = default);
}
