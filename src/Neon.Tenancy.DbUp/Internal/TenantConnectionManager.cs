using System.Data;
using DbUp.Engine.Output;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using Npgsql;

namespace Neon.Tenancy.DbUp.Internal;

/// <summary>
/// DbUp's connection manager over the one connection the SDK opened for this migration
/// (<see cref="TenantMigrationContext.OpenConnectionAsync"/>): DbUp never opens a connection of its own. DbUp disposes the
/// connection at the end of its operation, so it serves one operation (<c>PerformUpgrade</c>) only.
/// </summary>
internal sealed class TenantConnectionManager(NpgsqlConnection connection) : DatabaseConnectionManager(new OneConnectionFactory(connection))
{
    // Splits scripts into statements the way DbUp does for PostgreSQL (dollar quotes, comments, E'' strings). Its
    // connection string is never used: only this instance's factory is.
    private readonly PostgresqlConnectionManager _statements = new(string.Empty);

    public override IEnumerable<string> SplitScriptIntoCommands(string scriptContents) => _statements.SplitScriptIntoCommands(scriptContents);

    private sealed class OneConnectionFactory(NpgsqlConnection connection) : IConnectionFactory
    {
        private int _handedOut;

        public IDbConnection CreateConnection(IUpgradeLog upgradeLog, DatabaseConnectionManager databaseConnectionManager) =>
            Interlocked.Exchange(ref _handedOut, 1) == 0
                ? connection
                : throw new InvalidOperationException("The tenant's migration connection serves one DbUp operation only.");
    }
}
