using Npgsql;

namespace Neon.Tenancy;

/// <summary>The scoped <see cref="ITenantContext"/>: owns the scope's connection and closes it when the scope ends.</summary>
internal sealed class TenantContext(ITenantConnectionFactory connections) : ITenantContext, IAsyncDisposable, IDisposable
{
    private TenantId? _tenantId;
    private NpgsqlConnection? _connection;
    private bool _disposed;

    public TenantId? TenantId => _tenantId;

    public NpgsqlConnection Connection
    {
        get
        {
            var tenantId = Current();
            return _connection ?? throw new InvalidOperationException(
                $"The connection of tenant '{tenantId}' has not been opened in this scope: await ITenantContext.GetConnectionAsync first (for example in middleware).");
        }
    }

    public void SetTenant(TenantId tenantId)
    {
        if (tenantId == default)
        {
            throw new ArgumentException("default(TenantId) is not a tenant; create one with TenantId.Parse.", nameof(tenantId));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_tenantId is { } current && current != tenantId)
        {
            throw new InvalidOperationException($"This scope already serves tenant '{current}'; it cannot switch to '{tenantId}'. Create a new scope per tenant.");
        }

        _tenantId = tenantId;
    }

    public ValueTask<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
    {
        var tenantId = Current();
        return _connection is { } connection ? ValueTask.FromResult(connection) : OpenAsync(tenantId, cancellationToken);
    }

    private async ValueTask<NpgsqlConnection> OpenAsync(TenantId tenantId, CancellationToken cancellationToken)
    {
        var connection = await connections.OpenConnectionAsync(tenantId, TenantConnectionKind.Pooled, cancellationToken).ConfigureAwait(false);
        if (_disposed)
        {
            // The scope ended while the open was in flight: do not leak the connection.
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(TenantContext));
        }

        _connection = connection;
        return connection;
    }

    private TenantId Current()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _tenantId ?? throw new InvalidOperationException("No tenant is set in this scope: call ITenantContext.SetTenant first (for example in middleware).");
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _connection, null)?.Dispose();
    }
}
