using Npgsql;

namespace Neon.Tenancy.Benchmarks;

/// <summary>
/// The migrator: numbered SQL scripts, each committed in one transaction with its row in the tenant's
/// <c>app_migrations</c> history (what EF Core and DbUp do), on budgeted connections from the context. Scripts are
/// added between runs only.
/// </summary>
internal sealed class BenchScriptMigrator(string first) : ITenantMigrator
{
    private volatile string[] _scripts = [first];
    private int _migrated;

    public int TargetVersion => _scripts.Length;

    /// <summary>How many tenant migrations applied at least one script.</summary>
    public int Migrated => Volatile.Read(ref _migrated);

    public int AddScript(string script)
    {
        _scripts = [.. _scripts, script];
        return _scripts.Length;
    }

    public async Task<int> MigrateAsync(TenantMigrationContext context, CancellationToken cancellationToken)
    {
        var scripts = _scripts;
        await using var connection = await context.OpenConnectionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS app_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        int current;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM app_migrations", connection))
        {
            current = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        }

        var target = Math.Min(context.TargetVersion, scripts.Length);
        for (var version = current + 1; version <= target; version++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var script = new NpgsqlCommand(scripts[version - 1], connection, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO app_migrations (version) VALUES ($1)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = version });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (target > current)
        {
            Interlocked.Increment(ref _migrated);
        }

        return target;
    }
}
