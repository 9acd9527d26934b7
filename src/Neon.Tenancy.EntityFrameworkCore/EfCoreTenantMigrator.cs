using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Neon.Tenancy.EntityFrameworkCore;

/// <summary>
/// Runs the EF Core migrations of <typeparamref name="TContext"/> in a tenant database: the <see cref="ITenantMigrator"/>
/// that <c>AddEntityFrameworkCoreMigrations&lt;TContext&gt;()</c> registers. A version is the number of the context's
/// migrations applied (0 = none); <see cref="TargetVersion"/> is how many the context's migrations assembly has.
/// </summary>
/// <remarks>
/// <para>EF Core's history table (<c>__EFMigrationsHistory</c> unless configured otherwise) in the tenant database is the
/// truth: a migration runs only when its id is missing there, so running again applies nothing. EF Core runs each
/// migration in a transaction with its history row, so a failure leaves the migrations before it applied and recorded.</para>
/// <para>Never downgrades: migrations already applied beyond the requested version stay. A database whose history names a
/// migration this build does not know (migrated by a newer build) is refused with an
/// <see cref="InvalidOperationException"/> before anything runs.</para>
/// <para>The context is built over the migration's connection from <see cref="TenantMigrationContext.OpenConnectionAsync"/>
/// (a direct connection as the owner role, in the SDK's connection budget), with the Npgsql options given here: give it
/// the same ones as the application's context (migrations assembly, history table, plugins), or EF Core may find the model
/// different from the migrations' snapshot.</para>
/// </remarks>
/// <typeparam name="TContext">The application's context, whose migrations are applied.</typeparam>
public sealed class EfCoreTenantMigrator<TContext> : ITenantMigrator
    where TContext : DbContext
{
    private readonly Func<DbContextOptions<TContext>, TContext> _createContext;
    private readonly Action<NpgsqlDbContextOptionsBuilder>? _npgsql;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly string[] _migrations;
    private readonly Dictionary<string, int> _positions;

    /// <summary>
    /// Creates the migrator and reads the context's migrations once (no database is contacted): <see cref="TargetVersion"/>
    /// is their count.
    /// </summary>
    /// <param name="createContext">Builds a <typeparamref name="TContext"/> with the options given (typically <c>options =&gt; new AppDb(options)</c>); the migrator disposes it.</param>
    /// <param name="npgsql">Configures Npgsql's options of the migration context (migrations assembly, history table); null for EF Core's defaults.</param>
    /// <param name="loggerFactory">Receives EF Core's logs of the migrations (which migration runs, its SQL at Debug); null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="createContext"/> is null.</exception>
    public EfCoreTenantMigrator(
        Func<DbContextOptions<TContext>, TContext> createContext,
        Action<NpgsqlDbContextOptionsBuilder>? npgsql = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(createContext);
        _createContext = createContext;
        _npgsql = npgsql;
        _loggerFactory = loggerFactory;
        using (var context = createContext(Options(connection: null)))
        {
            _migrations = [.. context.Database.GetMigrations()];
        }

        _positions = new Dictionary<string, int>(_migrations.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < _migrations.Length; i++)
        {
            _positions[_migrations[i]] = i;
        }
    }

    /// <summary>The number of migrations of <typeparamref name="TContext"/>: the version a fully migrated tenant is at.</summary>
    public int TargetVersion => _migrations.Length;

    /// <summary>
    /// Applies the migrations among the first <see cref="TenantMigrationContext.TargetVersion"/> that the tenant database
    /// lacks, in order, on one connection from <see cref="TenantMigrationContext.OpenConnectionAsync"/> (disposed before
    /// returning). Already there, it applies nothing.
    /// </summary>
    /// <param name="context">The tenant and its database.</param>
    /// <param name="cancellationToken">Cancels the migration (between statements; a migration's transaction rolls back).</param>
    /// <returns>The number of migrations applied in the tenant database afterwards.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="context"/> asks for a version above <see cref="TargetVersion"/>.</exception>
    /// <exception cref="InvalidOperationException">The database's history names migrations <typeparamref name="TContext"/> does not have (the message lists their ids), or EF Core refused to migrate (for example, pending model changes).</exception>
    /// <exception cref="PostgresException">A migration failed in the database; the ones before it stay applied.</exception>
    public async Task<int> MigrateAsync(TenantMigrationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TargetVersion > TargetVersion)
        {
            throw new ArgumentException(
                $"Tenant '{context.TenantId}' is to be migrated to schema version {context.TargetVersion}, but {typeof(TContext).Name} has {TargetVersion} migrations.",
                nameof(context));
        }

        var connection = await context.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var database = _createContext(Options(connection));
            await using (database.ConfigureAwait(false))
            {
                var applied = await AppliedAsync(database, context.TenantId, cancellationToken).ConfigureAwait(false);
                // Up to the target, or to the last migration applied if that is further: EF Core reverts what lies past the
                // migration it is given, and a migrator never downgrades.
                var upTo = Math.Max(context.TargetVersion, applied.Count == 0 ? 0 : applied.Max() + 1);
                if (applied.Count == upTo)
                {
                    return applied.Count; // every one of the first upTo is applied (the history holds no duplicates)
                }

                // To the last migration, no name: EF Core then checks the model against the migrations' snapshot, as
                // Database.MigrateAsync() does (it skips that check when given a migration).
                var to = upTo == _migrations.Length ? null : _migrations[upTo - 1];
                await database.GetService<IMigrator>().MigrateAsync(to, cancellationToken).ConfigureAwait(false);
                return (await AppliedAsync(database, context.TenantId, cancellationToken).ConfigureAwait(false)).Count;
            }
        }
    }

    /// <summary>The positions of the migrations the database's history lists; throws when it lists one this build does not have.</summary>
    private async Task<HashSet<int>> AppliedAsync(TContext database, TenantId tenantId, CancellationToken cancellationToken)
    {
        var ids = await database.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<int>();
        List<string>? unknown = null;
        foreach (var id in ids)
        {
            if (_positions.TryGetValue(id, out var position))
            {
                applied.Add(position);
            }
            else
            {
                (unknown ??= []).Add(id);
            }
        }

        if (unknown is not null)
        {
            throw new InvalidOperationException(
                $"The database of tenant '{tenantId}' has EF Core migrations applied that {typeof(TContext).Name} in this build does not have: "
                + $"{string.Join(", ", unknown)}. It was migrated by another (newer?) build of the application; nothing was applied. "
                + "Migrate it with a build that has these migrations.");
        }

        return applied;
    }

    /// <summary>The context's options: Npgsql over <paramref name="connection"/> (not owned: the caller disposes it), or over no connection to read the migrations.</summary>
    private DbContextOptions<TContext> Options(NpgsqlConnection? connection)
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        if (_loggerFactory is not null)
        {
            builder.UseLoggerFactory(_loggerFactory);
        }

        _ = connection is null ? builder.UseNpgsql(_npgsql) : builder.UseNpgsql(connection, _npgsql);
        return builder.Options;
    }
}
