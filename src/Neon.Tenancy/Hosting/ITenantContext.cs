using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The tenant of the current unit of work (an HTTP request, a job): a scoped service that the host sets once, early
/// (for example in ASP.NET Core middleware, from a header or the host name), and that everything resolved in the same
/// scope reads: repositories, EF Core's <c>DbContext</c> options, Dapper code. Register it with
/// <c>AddNeonTenancy(...).AddTenantContext()</c>.
/// </summary>
/// <remarks>
/// <para><b>Connections.</b> <see cref="GetConnectionAsync"/> opens one pooled connection per scope through
/// <see cref="ITenantConnectionFactory.OpenConnectionAsync"/> (cache hit, global budget, cold-start retry) and shares it
/// with everything in the scope. The scope owns it: it goes back to the tenant's pool when the scope is disposed (the
/// end of the request), so no caller disposes it.</para>
/// <para><b>Data source.</b> <see cref="GetDataSourceAsync"/> hands out the tenant's <see cref="NpgsqlDataSource"/> for
/// libraries that want one (EF Core's <c>UseNpgsql(dataSource)</c>); after it completed, <see cref="DataSource"/>
/// returns the same instance synchronously, which is what an <c>AddDbContext</c> options callback needs. The factory owns
/// the data source (never dispose it); a handed-out data source holds its whole pool size of the global connection budget
/// until the factory retires it (see <see cref="ITenantConnectionFactory.GetDataSourceAsync"/>), so prefer
/// <see cref="GetConnectionAsync"/> where a connection will do.</para>
/// <para>Not thread-safe: like a <c>DbContext</c>, use it from one logical flow at a time.</para>
/// </remarks>
public interface ITenantContext
{
    /// <summary>The current tenant, or <see langword="null"/> before <see cref="SetTenant"/> was called.</summary>
    TenantId? TenantId { get; }

    /// <summary>
    /// The data source <see cref="GetDataSourceAsync"/> resolved for this scope: for synchronous callbacks such as
    /// <c>AddDbContext((sp, options) =&gt; options.UseNpgsql(sp.GetRequiredService&lt;ITenantContext&gt;().DataSource))</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No tenant is set, or <see cref="GetDataSourceAsync"/> has not completed in this scope yet.</exception>
    NpgsqlDataSource DataSource { get; }

    /// <summary>Sets the tenant of this scope. Setting the same tenant again is allowed; another one is not.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="InvalidOperationException">The scope already has a different tenant.</exception>
    void SetTenant(TenantId tenantId);

    /// <summary>
    /// Returns the scope's open connection to the tenant's database, opening it (pooled) on the first call. The scope
    /// disposes it; do not dispose it yourself.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting and connecting.</param>
    /// <returns>An open connection shared by the scope.</returns>
    /// <exception cref="InvalidOperationException">No tenant is set, or the scope was disposed.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantNotReadyException">The tenant is not ready (for example still provisioning, or suspended).</exception>
    /// <exception cref="TenantConnectionBudgetExceededException">The global connection budget stayed spent.</exception>
    /// <exception cref="TenantUnavailableException">Connecting kept failing transiently until the open deadline.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the tenant's pooled data source (asked of the factory once per scope), and makes it available through
    /// <see cref="DataSource"/>. The factory owns it: never dispose it.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The tenant's data source.</returns>
    /// <exception cref="InvalidOperationException">No tenant is set, or the scope was disposed.</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantNotReadyException">The tenant is not ready (for example still provisioning, or suspended).</exception>
    /// <exception cref="TenantConnectionBudgetExceededException">The budget could not cover the data source's pool in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<NpgsqlDataSource> GetDataSourceAsync(CancellationToken cancellationToken = default);
}
