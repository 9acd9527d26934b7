namespace Neon.Tenancy;

/// <summary>A project found by <see cref="ITenantDatabaseProvider.SweepOrphansAsync"/>.</summary>
/// <param name="ProjectId">The Neon project id.</param>
/// <param name="ProjectName">The Neon project name.</param>
/// <param name="CreatedAt">When Neon created it.</param>
/// <param name="Reason">Why it was reported.</param>
/// <param name="TenantId">The tenant, for <see cref="TenantOrphanReason.TenantFailed"/>.</param>
/// <param name="Deleted">Whether this sweep deleted it.</param>
public sealed record TenantOrphanProject(string ProjectId, string ProjectName, DateTimeOffset CreatedAt, TenantOrphanReason Reason, TenantId? TenantId, bool Deleted);
