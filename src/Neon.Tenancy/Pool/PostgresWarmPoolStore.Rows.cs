using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Neon.Tenancy;

/// <summary>The store's rows: the column order, an entry to and from a row, the states' spellings (the statements are in PostgresWarmPoolStore.cs).</summary>
internal sealed partial class PostgresWarmPoolStore
{
    private const string Columns =
        "entry_id, region, plan_class, state, project_name, project_id, neon_region, branch_id, endpoint_id, database_name, role_name, " +
        "app_role_name, pooled_secret, direct_secret, app_pooled_secret, app_direct_secret, schema_version, claimed_by, failure_reason, " +
        "created_at, updated_at, row_version";

    /// <summary>The index that keeps a tenant to one claim (catalog schema v6).</summary>
    private const string ClaimedByIndex = "warm_pool_claimed_by_idx";

    /// <summary>The entry's fields as $1 to $19, in <see cref="Columns"/>' order.</summary>
    private static void AddFields(NpgsqlCommand command, WarmPoolEntry entry)
    {
        PostgresCatalogRows.AddText(command, entry.Id);
        PostgresCatalogRows.AddText(command, entry.Region);
        PostgresCatalogRows.AddText(command, entry.PlanClass);
        PostgresCatalogRows.AddText(command, State(entry.State));
        PostgresCatalogRows.AddText(command, entry.ProjectName);
        PostgresCatalogRows.AddText(command, entry.ProjectId);
        PostgresCatalogRows.AddText(command, entry.NeonRegion);
        PostgresCatalogRows.AddText(command, entry.BranchId);
        PostgresCatalogRows.AddText(command, entry.EndpointId);
        PostgresCatalogRows.AddText(command, entry.DatabaseName);
        PostgresCatalogRows.AddText(command, entry.RoleName);
        PostgresCatalogRows.AddText(command, entry.ApplicationRoleName);
        PostgresCatalogRows.AddBytes(command, entry.PooledConnectionSecret);
        PostgresCatalogRows.AddBytes(command, entry.DirectConnectionSecret);
        PostgresCatalogRows.AddBytes(command, entry.ApplicationPooledConnectionSecret);
        PostgresCatalogRows.AddBytes(command, entry.ApplicationDirectConnectionSecret);
        AddInteger(command, entry.SchemaVersion);
        PostgresCatalogRows.AddText(command, entry.ClaimedBy?.Value);
        PostgresCatalogRows.AddText(command, entry.FailureReason);
    }

    private static WarmPoolEntry Map(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Region = reader.GetString(1),
        PlanClass = reader.GetString(2),
        State = State(reader.GetString(3)),
        ProjectName = reader.GetString(4),
        ProjectId = PostgresCatalogRows.NullableText(reader, 5),
        NeonRegion = PostgresCatalogRows.NullableText(reader, 6),
        BranchId = PostgresCatalogRows.NullableText(reader, 7),
        EndpointId = PostgresCatalogRows.NullableText(reader, 8),
        DatabaseName = reader.GetString(9),
        RoleName = reader.GetString(10),
        ApplicationRoleName = PostgresCatalogRows.NullableText(reader, 11),
        PooledConnectionSecret = PostgresCatalogRows.Bytes(reader, 12),
        DirectConnectionSecret = PostgresCatalogRows.Bytes(reader, 13),
        ApplicationPooledConnectionSecret = PostgresCatalogRows.Bytes(reader, 14),
        ApplicationDirectConnectionSecret = PostgresCatalogRows.Bytes(reader, 15),
        SchemaVersion = reader.GetInt32(16),
        ClaimedBy = reader.IsDBNull(17) ? null : TenantId.Parse(reader.GetString(17)),
        FailureReason = PostgresCatalogRows.NullableText(reader, 18),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(19),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(20),
        Version = reader.GetInt64(21),
    };

    private static async Task<WarmPoolEntry?> ReadEntryAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Map(reader) : null;
        }
    }

    /// <summary><see cref="ReadEntryAsync"/> of a statement that writes <paramref name="claimer"/> as an entry's claimer.</summary>
    /// <exception cref="InvalidOperationException">The claimer is another entry's already.</exception>
    private static async Task<WarmPoolEntry?> ReadClaimCheckedAsync(NpgsqlCommand command, TenantId? claimer, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadEntryAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: ClaimedByIndex } && claimer is { } tenant)
        {
            throw WarmPoolStoreRules.ClaimHeld(tenant);
        }
    }

    private static void AddInteger(NpgsqlCommand command, int value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Integer });

    private static void AddVersion(NpgsqlCommand command, long value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint });

    private static void AddTime(NpgsqlCommand command, DateTimeOffset value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.TimestampTz });

    /// <summary>A defined state (<see cref="WarmPoolStoreRules.Validate(WarmPoolEntry)"/>) as stored.</summary>
    private static string State(WarmPoolEntryState state) => state switch
    {
        WarmPoolEntryState.Creating => "creating",
        WarmPoolEntryState.Ready => "ready",
        WarmPoolEntryState.Migrating => "migrating",
        WarmPoolEntryState.Claimed => "claimed",
        WarmPoolEntryState.Recycling => "recycling",
        _ => throw new UnreachableException(),
    };

    private static WarmPoolEntryState State(string state) => state switch
    {
        "creating" => WarmPoolEntryState.Creating,
        "ready" => WarmPoolEntryState.Ready,
        "migrating" => WarmPoolEntryState.Migrating,
        "claimed" => WarmPoolEntryState.Claimed,
        "recycling" => WarmPoolEntryState.Recycling,
        _ => throw new InvalidOperationException($"The warm pool holds a state '{state}' this version of Neon.Tenancy does not know."),
    };
}
