using Neon.Tenancy.Api;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// How a tenant connects to one branch, as Neon says: the branch's read-write endpoint and the pooled and direct
/// connection strings of a role, encrypted at once. Read when the catalog must follow a branch it did not create
/// (adopting an earlier attempt's project, a finalized checkpoint restore): Neon's own URIs carry the password that
/// branch's role has.
/// </summary>
internal static class TenantBranchConnections
{
    /// <summary>The branch's read-write endpoint (any endpoint when it has none) and the encrypted connection strings.</summary>
    /// <exception cref="NeonApiException">A read failed.</exception>
    public static async Task<(string? EndpointId, byte[] Pooled, byte[] Direct)> ReadAsync(
        NeonApiClient api, IConnectionSecretProtector protector, SslMode? sslMode, TenantId tenantId, string projectId, string branchId,
        string database, string role, CancellationToken cancellationToken,
        ConnectionSecretKind pooledKind = ConnectionSecretKind.Pooled, ConnectionSecretKind directKind = ConnectionSecretKind.Direct)
    {
        var endpoints = await api.Branches.ListProjectBranchEndpointsAsync(projectId, branchId, cancellationToken).ConfigureAwait(false);
        var endpoint = endpoints.Endpoints.FirstOrDefault(e => e.Type == EndpointType.ReadWrite) ?? endpoints.Endpoints.FirstOrDefault();
        var pooled = await api.Projects.GetConnectionURIAsync(projectId, database, role, branchId, endpoint?.Id, pooled: true, cancellationToken).ConfigureAwait(false);
        var direct = await api.Projects.GetConnectionURIAsync(projectId, database, role, branchId, endpoint?.Id, pooled: false, cancellationToken).ConfigureAwait(false);
        return (
            endpoint?.Id,
            protector.Protect(tenantId, pooledKind, TenantConnectionStrings.FromUri(pooled.Uri, sslMode)),
            protector.Protect(tenantId, directKind, TenantConnectionStrings.FromUri(direct.Uri, sslMode)));
    }
}
