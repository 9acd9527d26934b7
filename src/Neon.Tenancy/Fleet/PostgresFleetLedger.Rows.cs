using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Neon.Tenancy;

/// <summary>The ledger's rows: the bulk copy of a new run's entries, reading runs and entries, the states' spellings (the statements are in PostgresFleetLedger.cs).</summary>
internal sealed partial class PostgresFleetLedger
{
    /// <summary>
    /// The run's entries in one binary COPY inside the creating transaction: a hundred thousand in one to three seconds on a
    /// test machine, most of it the server's foreign-key checks and index upkeep.
    /// </summary>
    private async Task CopyEntriesAsync(NpgsqlConnection connection, string runId, IReadOnlyList<FleetLedgerEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var importer = await connection.BeginBinaryImportAsync(_copyEntries, cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            foreach (var entry in entries)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(runId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(entry.TenantId.Value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(entry.Wave, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(EntryState(entry.State), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(entry.Attempts, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await WriteAsync(importer, entry.Description, cancellationToken).ConfigureAwait(false);
                await WriteAsync(importer, entry.Error, cancellationToken).ConfigureAwait(false);
                await WriteTimeAsync(importer, entry.StartedAt, cancellationToken).ConfigureAwait(false);
                await WriteTimeAsync(importer, entry.EndedAt, cancellationToken).ConfigureAwait(false);
                await WriteAsync(importer, entry.Owner, cancellationToken).ConfigureAwait(false);
                await WriteTimeAsync(importer, entry.LeaseUntil, cancellationToken).ConfigureAwait(false);
                await WriteTimeAsync(importer, entry.NotBefore, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        static Task WriteAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
            value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

        static Task WriteTimeAsync(NpgsqlBinaryImporter importer, DateTimeOffset? value, CancellationToken cancellationToken) =>
            value is { } time ? importer.WriteAsync(CatalogRules.Truncate(time), NpgsqlDbType.TimestampTz, cancellationToken) : importer.WriteNullAsync(cancellationToken);
    }

    private static async Task<FleetLedgerRun?> ReadRunAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new FleetLedgerRun(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt32(2),
                RunState(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetFieldValue<DateTimeOffset>(6));
        }
    }

    private static async Task<List<FleetLedgerEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<FleetLedgerEntry>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new FleetLedgerEntry(
                    TenantId.Parse(reader.GetString(0)),
                    reader.GetInt32(1),
                    EntryState(reader.GetString(2)),
                    reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    NullableTime(reader, 6),
                    NullableTime(reader, 7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    NullableTime(reader, 9),
                    NullableTime(reader, 10)));
            }
        }

        return entries;
    }

    private static string Qualified(string alias, string columns) => string.Join(", ", columns.Split(", ").Select(c => alias + "." + c));

    private static void AddInteger(NpgsqlCommand command, int value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Integer });

    private static void AddTime(NpgsqlCommand command, DateTimeOffset? value) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value is { } time ? time : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>A recordable run state (<see cref="FleetLedgerRules.RequireRecordable"/>) as stored.</summary>
    private static string RunState(FleetRunState state) => state switch
    {
        FleetRunState.Running => "running",
        FleetRunState.Completed => "completed",
        FleetRunState.Halted => "halted",
        _ => throw new UnreachableException(),
    };

    private static FleetRunState RunState(string state) => state switch
    {
        "running" => FleetRunState.Running,
        "completed" => FleetRunState.Completed,
        "halted" => FleetRunState.Halted,
        _ => throw new InvalidOperationException($"The fleet ledger holds a run state '{state}' this version of Neon.Tenancy does not know."),
    };

    /// <summary>A defined tenant state (<see cref="FleetLedgerRules.RequireDefined"/>) as stored.</summary>
    private static string EntryState(FleetTenantState state) => state switch
    {
        FleetTenantState.Pending => "pending",
        FleetTenantState.Running => "running",
        FleetTenantState.Succeeded => "succeeded",
        FleetTenantState.Parked => "parked",
        FleetTenantState.Skipped => "skipped",
        FleetTenantState.Deferred => "deferred",
        _ => throw new UnreachableException(),
    };

    private static FleetTenantState EntryState(string state) => state switch
    {
        "pending" => FleetTenantState.Pending,
        "running" => FleetTenantState.Running,
        "succeeded" => FleetTenantState.Succeeded,
        "parked" => FleetTenantState.Parked,
        "skipped" => FleetTenantState.Skipped,
        "deferred" => FleetTenantState.Deferred,
        _ => throw new InvalidOperationException($"The fleet ledger holds a tenant state '{state}' this version of Neon.Tenancy does not know."),
    };
}
