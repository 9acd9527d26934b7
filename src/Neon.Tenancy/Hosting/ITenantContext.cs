using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// The tenant of the current unit of work (an HTTP request, a job): a scoped service that the host sets once, early
/// (for example in ASP.NET Core middleware, from a header or the host name), and that everything resolved in the same
/// scope reads: repositories, EF Core's <c>DbContext</c> options, Dapper code. Register it with
/// <c>AddNeonTenancy(...).AddTenantContext()</c>.
/// </summary>
/// <remarks>
/// <para><b>One connection per scope.</b> <see cref="GetConnectionAsync"/> opens one pooled connection per scope through
/// <see cref="ITenantConnectionFactory.OpenConnectionAsync"/> (cache hit, global budget, cold-start retry) and shares it
/// with everything in the scope. The scope owns it: it goes back to the tenant's pool when the scope is disposed (the
/// end of the request), so no caller disposes it. It holds one slot of the global connection budget from its open to
/// the end of the scope, like any connection open through the factory, and nothing more.</para>
/// <para><b>EF Core.</b> After <see cref="GetConnectionAsync"/> completed, <see cref="Connection"/> returns the same
/// connection synchronously, which is what an <c>AddDbContext</c> options callback needs:
/// <c>options.UseNpgsql(sp.GetRequiredService&lt;ITenantContext&gt;().Connection)</c>. EF Core then uses the open
/// connection as it is (it neither closes nor disposes a connection it did not open), raw Npgsql and EF Core in one
/// request share it (and can share a transaction), and the scope closes it.</para>
/// <para><b>Names.</b> <c>Get...</c> here, as on <see cref="ITenantConnectionFactory.GetDataSourceAsync"/>: the caller
/// receives something it does not own. A connection the caller owns and disposes comes from
/// <see cref="ITenantConnectionFactory.OpenConnectionAsync"/>.</para>
/// <para>Not thread-safe: like a <c>DbContext</c>, use it from one logical flow at a time.</para>
/// </remarks>
public interface ITenantContext
{
    /// <summary>The current tenant, or <see langword="null"/> before <see cref="SetTenant"/> was called.</summary>
    TenantId? TenantId { get; }

    /// <summary>
    /// The connection <see cref="GetConnectionAsync"/> opened for this scope: for synchronous callbacks such as
    /// <c>AddDbContext((sp, options) =&gt; options.UseNpgsql(sp.GetRequiredService&lt;ITenantContext&gt;().Connection))</c>.
    /// The scope disposes it; do not close or dispose it yourself.
    /// </summary>
    /// <exception cref="InvalidOperationException">No tenant is set, or <see cref="GetConnectionAsync"/> has not completed in this scope yet.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    NpgsqlConnection Connection { get; }

    /// <summary>Sets the tenant of this scope. Setting the same tenant again is allowed; another one is not.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is <c>default(TenantId)</c>.</exception>
    /// <exception cref="InvalidOperationException">The scope already has a different tenant.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    void SetTenant(TenantId tenantId);

    /// <summary>
    /// Returns the scope's open connection to the tenant's database, opening it (pooled) on the first call. The scope
    /// disposes it; do not dispose it yourself.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting and connecting.</param>
    /// <returns>An open connection shared by the scope.</returns>
    /// <exception cref="InvalidOperationException">No tenant is set.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed (also when it ended while the open was in flight: the connection is closed then).</exception>
    /// <exception cref="TenantNotFoundException">The tenant is not in the catalog.</exception>
    /// <exception cref="TenantStateException">The tenant is not ready (for example still provisioning, or suspended; <see cref="TenantStateException.Operation"/> <c>connect</c>).</exception>
    /// <exception cref="TenantConnectionBudgetExceededException">The global connection budget stayed spent.</exception>
    /// <exception cref="TenantUnavailableException">Connecting kept failing transiently until the open deadline.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default);
}
