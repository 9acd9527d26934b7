namespace Neon.Tenancy;

/// <summary>What to store when a tenant is reserved (see <see cref="ITenantCatalog.ReserveAsync"/>).</summary>
public sealed record TenantReservation
{
    /// <summary>The tenant to reserve.</summary>
    public required TenantId TenantId { get; init; }

    /// <summary>The plan the tenant signs up for.</summary>
    public required string Plan { get; init; }

    /// <summary>The Neon project name provisioning will use (deterministic per tenant).</summary>
    public string? ProjectName { get; init; }

    /// <summary>The Neon region; <see langword="null"/> for the configured default.</summary>
    public string? Region { get; init; }
}
