using Npgsql;

namespace Neon.Tenancy.DbUp;

/// <summary>
/// A SQL script failed on a tenant's database. It ran in its own transaction, which was rolled back: the script left no
/// trace and its journal row was not written; the scripts before it stay applied. The message names the tenant, the script
/// and the error (PostgreSQL's SQLSTATE and message), never a connection string; the inner exception is Npgsql's.
/// </summary>
public sealed class TenantScriptException : NeonTenancyException
{
    internal TenantScriptException(TenantId tenantId, string scriptName, int version, Exception innerException)
        : base($"SQL script '{scriptName}' failed on tenant '{tenantId}' and was rolled back; the tenant is at schema version {version}: {innerException.Message}",
            innerException, innerException is NpgsqlException { IsTransient: true } or TimeoutException)
    {
        TenantId = tenantId;
        ScriptName = scriptName;
        Version = version;
    }

    /// <summary>The tenant.</summary>
    public TenantId TenantId { get; }

    /// <summary>The script that failed (its name in the journal).</summary>
    public string ScriptName { get; }

    /// <summary>How many scripts the tenant's journal lists after the failure (its schema version).</summary>
    public int Version { get; }
}
