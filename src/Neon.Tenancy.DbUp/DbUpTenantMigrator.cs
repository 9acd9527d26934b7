using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using DbUp.Builder;
using DbUp.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Neon.Tenancy.DbUp.Internal;

namespace Neon.Tenancy.DbUp;

/// <summary>
/// An <see cref="ITenantMigrator"/> over an ordered set of plain SQL scripts, run by DbUp. Each script the tenant
/// database's journal does not list runs in its own transaction together with its journal row, on the connection from
/// <see cref="TenantMigrationContext.OpenConnectionAsync"/> (so it counts in the SDK's connection budget); a script that
/// fails leaves no trace, and the scripts before it stay committed. Register it with <c>AddDbUpMigrations</c>.
/// </summary>
/// <remarks>
/// <para>Versions are script counts: <see cref="TargetVersion"/> is how many scripts this build has, and a tenant's version
/// is how many of them its journal lists. Scripts run in ordinal order of their names (<see cref="ScriptNames"/>): name
/// them so that order is the order they must run in (<c>0001_...</c>, <c>0002_...</c>), and never rename or edit one
/// that has shipped (the name is the journal's key).</para>
/// <para>Scripts run as written: DbUp's <c>$variable$</c> substitution is off, so PostgreSQL dollar quoting
/// (<c>$$ ... $$</c>, <c>$body$ ... $body$</c>) works. Statements that cannot run in a transaction
/// (<c>CREATE INDEX CONCURRENTLY</c>, <c>VACUUM</c>) cannot be used.</para>
/// <para>DbUp is synchronous: a migration blocks its thread while a script runs, and cancellation takes effect before the
/// next script (a running one is not interrupted; its command timeout is <see cref="DbUpMigrationOptions.CommandTimeout"/>).</para>
/// </remarks>
public sealed class DbUpTenantMigrator : ITenantMigrator
{
    private readonly SqlScript[] _scripts;
    private readonly string _journalSchema;
    private readonly string _journalTable;
    private readonly TimeSpan? _commandTimeout;
    private readonly ILogger _logger;

    /// <summary>Reads the scripts of <paramref name="options"/> (once: later changes to the options or the files are not seen).</summary>
    /// <param name="options">The scripts and the journal.</param>
    /// <param name="logger">Receives DbUp's messages (at Debug, connection strings never among them) and a line per migrated tenant; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of its rules, there is no source, a source holds no script, or two scripts have the same name (the message says which).</exception>
    /// <exception cref="IOException">A script folder or file cannot be read.</exception>
    public DbUpTenantMigrator(DbUpMigrationOptions options, ILogger<DbUpTenantMigrator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _journalSchema = options.JournalSchema;
        _journalTable = options.JournalTable;
        _commandTimeout = options.CommandTimeout;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var scripts = new List<SqlScript>();
        foreach (var source in options.Sources)
        {
            var loaded = source.Load();
            if (loaded.Count == 0)
            {
                throw new ArgumentException($"DbUpMigrationOptions: {source} hold no .sql script.", nameof(options));
            }

            scripts.AddRange(loaded);
        }

        scripts.Sort(static (x, y) => string.CompareOrdinal(x.Name, y.Name));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (string.Equals(scripts[i - 1].Name, scripts[i].Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"DbUpMigrationOptions: two scripts are named '{scripts[i].Name}'.", nameof(options));
            }
        }

        _scripts = [.. scripts];
        ScriptNames = Array.AsReadOnly(_scripts.Select(static script => script.Name).ToArray());
    }

    /// <summary>How many scripts this build has: the version a migrated tenant is at.</summary>
    public int TargetVersion => _scripts.Length;

    /// <summary>The scripts' names, in the order they run (the names the journal records).</summary>
    public IReadOnlyList<string> ScriptNames { get; }

    /// <summary>
    /// Runs, in order, the scripts the tenant database's journal does not list, each in its own transaction with its
    /// journal row, until the journal lists <see cref="TenantMigrationContext.TargetVersion"/> of them (normally all).
    /// Idempotent: on a tenant at the target it runs nothing. Uses one connection, from
    /// <see cref="TenantMigrationContext.OpenConnectionAsync"/>.
    /// </summary>
    /// <param name="context">The tenant and its database.</param>
    /// <param name="cancellationToken">Cancels opening the connection, and the migration before its next script.</param>
    /// <returns>How many scripts the journal lists afterwards (the tenant's version).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The context's target is above <see cref="TargetVersion"/>.</exception>
    /// <exception cref="InvalidOperationException">The journal lists scripts this build does not have (the message names them); nothing was run.</exception>
    /// <exception cref="TenantScriptException">A script failed; it was rolled back, the scripts before it stay applied.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; the scripts run before stay applied.</exception>
    public async Task<int> MigrateAsync(TenantMigrationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TargetVersion > TargetVersion)
        {
            throw new ArgumentException(
                $"Tenant '{context.TenantId}' is to reach schema version {context.TargetVersion}, but this build has {TargetVersion} scripts.", nameof(context));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var connection = await context.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var run = new MigrationRun(context.TenantId, this, context.TargetVersion, cancellationToken);
            var result = BuildEngine(new TenantConnectionManager(connection), run).PerformUpgrade();
            if (!result.Successful)
            {
                ThrowFailure(result, run, context.TenantId, cancellationToken);
            }

            var applied = result.Scripts.Count();
            var version = run.JournalCount + applied;
            if (applied > 0)
            {
                DbUpLog.ScriptsApplied(_logger, context.TenantId.Value, applied, version, TargetVersion);
            }
            else
            {
                DbUpLog.TenantCurrent(_logger, context.TenantId.Value, version);
            }

            return version;
        }
    }

    /// <summary>The journal's description in messages: <c>"schema"."table"</c>.</summary>
    internal string JournalName => $"\"{_journalSchema}\".\"{_journalTable}\"";

    private UpgradeEngine BuildEngine(TenantConnectionManager connectionManager, MigrationRun run)
    {
        // The journal's schema is also the executor's: DbUp creates it (CREATE SCHEMA IF NOT EXISTS) before the first script.
        var builder = PostgresqlExtensions.PostgresqlDatabase(connectionManager, _journalSchema)
            .JournalToPostgresqlTable(_journalSchema, _journalTable)
            .WithScripts(_scripts)
            .WithScriptNameComparer(StringComparer.Ordinal)
            .WithFilter(run)
            .WithPreprocessor(run)
            .WithTransactionPerScript()
            .WithVariablesDisabled()
            .LogTo(new DbUpUpgradeLog(_logger, run.TenantId.Value));
        if (_commandTimeout is { } timeout)
        {
            builder.WithExecutionTimeout(timeout);
        }

        return builder.Build();
    }

    /// <summary>Throws what a failed upgrade means: DbUp reports failures in its result, with the exception it caught.</summary>
    [DoesNotReturn]
    private static void ThrowFailure(DatabaseUpgradeResult result, MigrationRun run, TenantId tenantId, CancellationToken cancellationToken)
    {
        var error = result.Error;
        if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Migrating tenant '{tenantId}' was canceled before script '{result.ErrorScript?.Name}'.", error, cancellationToken);
        }

        if (result.ErrorScript is { } script && !ReferenceEquals(error, run.JournalMismatch))
        {
            throw new TenantScriptException(tenantId, script.Name, run.JournalCount + result.Scripts.Count(), error);
        }

        // The journal mismatch, or a failure outside any script (opening, reading the journal, creating its schema):
        // rethrown as it is, so that callers see Npgsql's own exception and its IsTransient.
        ExceptionDispatchInfo.Throw(error);
    }
}
