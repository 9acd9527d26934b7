using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;

namespace Neon.Tenancy;

/// <summary>
/// A catalog row to and from a <see cref="TenantRecord"/>: the column order of <see cref="PostgresCatalogSql"/>'s
/// <c>Columns</c>, the parameters of its <c>Update</c>, and the JSON of <see cref="TenantRecord.Settings"/>
/// (source-generated, so AOT-clean).
/// </summary>
internal static partial class PostgresCatalogRows
{
    public static TenantRecord Map(NpgsqlDataReader reader) => new()
    {
        TenantId = TenantId.Parse(reader.GetString(0)),
        State = TenantStates.FromStorage(reader.GetString(1)),
        Plan = reader.GetString(2),
        ProjectName = NullableText(reader, 3),
        ProjectId = NullableText(reader, 4),
        Region = NullableText(reader, 5),
        BranchId = NullableText(reader, 6),
        EndpointId = NullableText(reader, 7),
        DatabaseName = NullableText(reader, 8),
        RoleName = NullableText(reader, 9),
        SchemaVersion = reader.GetInt32(10),
        PooledConnectionSecret = Bytes(reader, 11),
        DirectConnectionSecret = Bytes(reader, 12),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(13),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(14),
        Version = reader.GetInt64(15),
        ApplicationRoleName = NullableText(reader, 16),
        ApplicationPooledConnectionSecret = Bytes(reader, 17),
        ApplicationDirectConnectionSecret = Bytes(reader, 18),
        FailureReason = NullableText(reader, 19),
        RecoverableUntil = reader.IsDBNull(20) ? null : reader.GetFieldValue<DateTimeOffset>(20),
        Settings = reader.IsDBNull(21) ? null : JsonSerializer.Deserialize(reader.GetString(21), CatalogJson.Default.TenantPlanSettings),
        PendingRestore = reader.IsDBNull(22) ? null : PendingRestoreJson.ToRestore(JsonSerializer.Deserialize(reader.GetString(22), CatalogJson.Default.PendingRestoreJson)!),
    };

    /// <summary>The parameters of <see cref="PostgresCatalogSql.Update"/> ($1 to $22) for <paramref name="record"/>.</summary>
    public static void AddUpdateParameters(NpgsqlCommand update, TenantRecord record, DateTimeOffset now)
    {
        AddText(update, record.TenantId.Value);
        AddText(update, TenantStates.ToStorage(record.State));
        AddText(update, record.Plan);
        AddText(update, record.ProjectName);
        AddText(update, record.ProjectId);
        AddText(update, record.Region);
        AddText(update, record.BranchId);
        AddText(update, record.EndpointId);
        AddText(update, record.DatabaseName);
        AddText(update, record.RoleName);
        update.Parameters.Add(new NpgsqlParameter { Value = record.SchemaVersion, NpgsqlDbType = NpgsqlDbType.Integer });
        AddBytes(update, record.PooledConnectionSecret);
        AddBytes(update, record.DirectConnectionSecret);
        update.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        update.Parameters.Add(new NpgsqlParameter { Value = record.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
        AddText(update, record.ApplicationRoleName);
        AddBytes(update, record.ApplicationPooledConnectionSecret);
        AddBytes(update, record.ApplicationDirectConnectionSecret);
        AddText(update, record.FailureReason);
        update.Parameters.Add(new NpgsqlParameter
        {
            Value = record.RecoverableUntil is { } until ? CatalogRules.Truncate(until) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.TimestampTz,
        });
        update.Parameters.Add(new NpgsqlParameter
        {
            Value = record.Settings is { } settings ? JsonSerializer.Serialize(settings, CatalogJson.Default.TenantPlanSettings) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
        update.Parameters.Add(new NpgsqlParameter
        {
            Value = record.PendingRestore is { } restore ? JsonSerializer.Serialize(PendingRestoreJson.From(restore), CatalogJson.Default.PendingRestoreJson) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
    }

    /// <summary>A checkpoint row (the column order of <c>CheckpointColumns</c>).</summary>
    public static TenantCheckpoint MapCheckpoint(NpgsqlDataReader reader) => new()
    {
        TenantId = TenantId.Parse(reader.GetString(0)),
        Id = reader.GetString(1),
        Name = reader.GetString(2),
        BranchId = NullableText(reader, 3),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(4),
        Metadata = (JsonSerializer.Deserialize(reader.GetString(5), CatalogJson.Default.DictionaryStringString) ?? []).AsReadOnly(),
    };

    /// <summary>The parameters of <see cref="PostgresCatalogSql.AddCheckpoint"/> ($1 to $6).</summary>
    public static void AddCheckpointParameters(NpgsqlCommand insert, TenantCheckpoint checkpoint)
    {
        AddText(insert, checkpoint.TenantId.Value);
        AddText(insert, checkpoint.Id);
        AddText(insert, checkpoint.Name);
        AddText(insert, checkpoint.BranchId);
        insert.Parameters.Add(new NpgsqlParameter { Value = CatalogRules.Truncate(checkpoint.CreatedAt), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter
        {
            Value = JsonSerializer.Serialize(new Dictionary<string, string>(checkpoint.Metadata, StringComparer.Ordinal), CatalogJson.Default.DictionaryStringString),
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
    }

    public static void AddText(NpgsqlCommand command, string? value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });

    /// <summary>A bytea parameter; empty is NULL (and reads back as empty).</summary>
    public static void AddBytes(NpgsqlCommand command, ReadOnlyMemory<byte> value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value.IsEmpty ? DBNull.Value : value.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });

    public static string? NullableText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static ReadOnlyMemory<byte> Bytes(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(ordinal);

    /// <summary>Unset settings are left out, so the stored JSON names only what the tenant overrides.</summary>
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(TenantPlanSettings))]
    [JsonSerializable(typeof(Dictionary<string, string>))]
    [JsonSerializable(typeof(PendingRestoreJson))]
    internal sealed partial class CatalogJson : JsonSerializerContext;

    /// <summary>The stored JSON of <see cref="TenantPendingRestore"/> (secrets as base64 ciphertext).</summary>
    internal sealed class PendingRestoreJson
    {
        public TenantRestoreKind Kind { get; set; }

        public TenantRestoreStage Stage { get; set; }

        public bool Preview { get; set; }

        public string? CheckpointId { get; set; }

        public DateTimeOffset? Timestamp { get; set; }

        public string? Lsn { get; set; }

        public string? BranchName { get; set; }

        public string PreviousBranchId { get; set; } = "";

        public string? BranchId { get; set; }

        public string? EndpointId { get; set; }

        public byte[]? PooledSecret { get; set; }

        public byte[]? DirectSecret { get; set; }

        public DateTimeOffset StartedAt { get; set; }

        public static PendingRestoreJson From(TenantPendingRestore restore) => new()
        {
            Kind = restore.Kind,
            Stage = restore.Stage,
            Preview = restore.Preview,
            CheckpointId = restore.CheckpointId,
            Timestamp = restore.Timestamp,
            Lsn = restore.Lsn,
            BranchName = restore.BranchName,
            PreviousBranchId = restore.PreviousBranchId,
            BranchId = restore.BranchId,
            EndpointId = restore.EndpointId,
            PooledSecret = restore.PooledConnectionSecret.IsEmpty ? null : restore.PooledConnectionSecret.ToArray(),
            DirectSecret = restore.DirectConnectionSecret.IsEmpty ? null : restore.DirectConnectionSecret.ToArray(),
            StartedAt = CatalogRules.Truncate(restore.StartedAt),
        };

        /// <exception cref="InvalidOperationException">A kind or stage this version does not know (a newer version wrote it).</exception>
        public static TenantPendingRestore ToRestore(PendingRestoreJson json) => !Enum.IsDefined(json.Kind) || !Enum.IsDefined(json.Stage)
            ? throw new InvalidOperationException($"The catalog holds a pending restore of kind {(int)json.Kind}, stage {(int)json.Stage}, which this version of Neon.Tenancy does not know (a newer version wrote it). Upgrade the package.")
            : new()
        {
            Kind = json.Kind,
            Stage = json.Stage,
            Preview = json.Preview,
            CheckpointId = json.CheckpointId,
            Timestamp = json.Timestamp,
            Lsn = json.Lsn,
            BranchName = json.BranchName,
            PreviousBranchId = json.PreviousBranchId,
            BranchId = json.BranchId,
            EndpointId = json.EndpointId,
            PooledConnectionSecret = json.PooledSecret ?? ReadOnlyMemory<byte>.Empty,
            DirectConnectionSecret = json.DirectSecret ?? ReadOnlyMemory<byte>.Empty,
            StartedAt = json.StartedAt,
        };
    }
}
