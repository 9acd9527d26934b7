namespace Neon.Tenancy;

/// <summary>Which of a tenant's endpoints a connection goes to.</summary>
public enum TenantConnectionKind
{
    /// <summary>
    /// The pooled endpoint (Neon's <c>-pooler</c> host, PgBouncer in transaction mode). The default: use it for
    /// ordinary requests. Session state (SET, LISTEN, temporary tables, session advisory locks, SQL-level PREPARE)
    /// does not survive between transactions.
    /// </summary>
    Pooled = 0,

    /// <summary>The direct endpoint: migrations, LISTEN/NOTIFY, advisory locks, anything session-scoped.</summary>
    Direct = 1,
}
