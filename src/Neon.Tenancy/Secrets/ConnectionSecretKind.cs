namespace Neon.Tenancy;

/// <summary>Which of a tenant's connection strings a secret holds. Part of what a ciphertext is bound to.</summary>
public enum ConnectionSecretKind
{
    /// <summary>The pooled (PgBouncer, <c>-pooler</c> host) connection string.</summary>
    Pooled = 1,

    /// <summary>The direct connection string (migrations, LISTEN/NOTIFY, session state).</summary>
    Direct = 2,

    /// <summary>The pooled connection string of the tenant's least-privilege application role.</summary>
    ApplicationPooled = 3,

    /// <summary>The direct connection string of the tenant's least-privilege application role.</summary>
    ApplicationDirect = 4,
}
