using Npgsql;

namespace Neon.Tenancy;

/// <summary>Checkpoint records: a table of their own (schema version 4), removed with their tenant.</summary>
public sealed partial class PostgresTenantCatalog
{
    /// <summary>PostgreSQL's foreign-key violation: the tenant the checkpoint names is not in the catalog.</summary>
    private const string ForeignKeyViolation = "23503";

    /// <inheritdoc/>
    public async Task<TenantCheckpoint> AddCheckpointAsync(TenantCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        CatalogRules.Validate(checkpoint);
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using (var insert = _dataSource.CreateCommand(_sql.AddCheckpoint))
        {
            PostgresCatalogRows.AddCheckpointParameters(insert, checkpoint);
            try
            {
                if (await ReadCheckpointAsync(insert, cancellationToken).ConfigureAwait(false) is { } added)
                {
                    return added;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == ForeignKeyViolation)
            {
                throw new TenantNotFoundException(checkpoint.TenantId);
            }
        }

        // Already recorded (ON CONFLICT DO NOTHING returned nothing): the stored one.
        using var read = _dataSource.CreateCommand(_sql.ReadCheckpoint);
        PostgresCatalogRows.AddText(read, checkpoint.TenantId.Value);
        PostgresCatalogRows.AddText(read, checkpoint.Id);
        return await ReadCheckpointAsync(read, cancellationToken).ConfigureAwait(false)
            ?? throw new TenantNotFoundException(checkpoint.TenantId); // removed with its tenant in between
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_sql.ListCheckpoints);
        PostgresCatalogRows.AddText(command, tenantId.Value);
        var checkpoints = new List<TenantCheckpoint>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                checkpoints.Add(PostgresCatalogRows.MapCheckpoint(reader));
            }
        }

        return checkpoints;
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        CatalogRules.RequireCheckpointId(checkpointId, nameof(checkpointId));
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        using var command = _dataSource.CreateCommand(_sql.RemoveCheckpoint);
        PostgresCatalogRows.AddText(command, tenantId.Value);
        PostgresCatalogRows.AddText(command, checkpointId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static async Task<TenantCheckpoint?> ReadCheckpointAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgresCatalogRows.MapCheckpoint(reader) : null;
        }
    }
}
