namespace Neon.Tenancy;

/// <summary>One page of tenants.</summary>
/// <param name="Items">The tenants on this page, ordered by tenant id.</param>
/// <param name="ContinuationToken">Pass it in the next <see cref="TenantQuery"/>; <see langword="null"/> when this is the last page.</param>
public sealed record TenantPage(IReadOnlyList<TenantRecord> Items, string? ContinuationToken);
