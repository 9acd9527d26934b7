namespace Neon.Tenancy;

/// <summary>The outcome of <see cref="ITenantDatabaseProvider.DeleteAsync"/>.</summary>
/// <param name="Tenant">The tenant, now <see cref="TenantState.Deleted"/>.</param>
/// <param name="RecoverableUntil">Until when <see cref="ITenantDatabaseProvider.RecoverAsync"/> can bring it back: the deletion time
/// plus <see cref="TenantProvisioningOptions.RecoveryWindow"/> (Neon's documented window; the delete answer does not carry the deadline).
/// <see langword="null"/> when the tenant was deleted before it had a project: there is nothing to recover, and
/// <see cref="ITenantDatabaseProvider.ProvisionAsync"/> provisions it afresh.</param>
public sealed record TenantDeletion(TenantRecord Tenant, DateTimeOffset? RecoverableUntil);
