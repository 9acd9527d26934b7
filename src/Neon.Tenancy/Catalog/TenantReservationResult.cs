namespace Neon.Tenancy;

/// <summary>The outcome of <see cref="ITenantCatalog.ReserveAsync"/>.</summary>
/// <param name="Record">The stored record: the new one, or the one that already existed.</param>
/// <param name="Created"><see langword="true"/> when this call created the reservation; <see langword="false"/> when the tenant already existed.</param>
public sealed record TenantReservationResult(TenantRecord Record, bool Created);
