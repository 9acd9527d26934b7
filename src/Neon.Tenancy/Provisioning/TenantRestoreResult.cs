namespace Neon.Tenancy;

/// <summary>The outcome of <see cref="ITenantDatabaseProvider.RestoreAsync"/>.</summary>
/// <param name="Tenant">The tenant after the restore.</param>
/// <param name="PreservedBranchName">The branch holding the pre-restore state.</param>
public sealed record TenantRestoreResult(TenantRecord Tenant, string PreservedBranchName);
