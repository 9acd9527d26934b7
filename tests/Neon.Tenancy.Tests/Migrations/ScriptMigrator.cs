using System.Collections.Concurrent;
using Npgsql;

namespace Neon.Tenancy.Tests.Migrations;

/// <summary>
/// The smallest honest <see cref="ITenantMigrator"/>: numbered SQL scripts, each committed in one transaction with its
/// row in the tenant's <c>app_migrations</c> history (what EF Core and DbUp do), on connections from the context. It
/// counts what it applied per tenant, so a test sees a migration applied twice.
/// </summary>
internal sealed class ScriptMigrator(params string[] scripts) : ITenantMigrator
{
    public List<string> Scripts { get; } = [.. scripts];

    public int TargetVersion => Scripts.Count;

    /// <summary>(tenant, version) of every script applied.</summary>
    public ConcurrentQueue<(TenantId Tenant, int Version)> Applied { get; } = new();

    public int Connections;

    /// <summary>Runs before each script (a test pauses or fails there).</summary>
    public Func<TenantId, int, CancellationToken, Task>? BeforeScript { get; set; }

    /// <summary>Runs after each script committed (a test crashes there: applied, not yet recorded in the catalog).</summary>
    public Func<TenantId, int, CancellationToken, Task>? AfterScript { get; set; }

    public int AppliedTo(TenantId tenant) => Applied.Count(a => a.Tenant == tenant);

    public async Task<int> MigrateAsync(TenantMigrationContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Connections);
        await using var connection = await context.OpenConnectionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS app_migrations (version int PRIMARY KEY)", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        int current;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM app_migrations", connection))
        {
            current = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        for (var version = current + 1; version <= context.TargetVersion; version++)
        {
            if (BeforeScript is { } before)
            {
                await before(context.TenantId, version, cancellationToken);
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var script = new NpgsqlCommand(Scripts[version - 1], connection, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO app_migrations VALUES ($1)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = version });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            Applied.Enqueue((context.TenantId, version));
            if (AfterScript is { } after)
            {
                await after(context.TenantId, version, cancellationToken);
            }
        }

        return context.TargetVersion;
    }
}
