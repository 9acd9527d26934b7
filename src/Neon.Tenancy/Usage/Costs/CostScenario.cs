namespace Neon.Tenancy;

/// <summary>A what-if fleet for <see cref="NeonCostCalculator.EstimateScenario"/>: tenants x compute size x usage pattern x storage.</summary>
public sealed record CostScenario
{
    /// <summary>Number of tenants (one project each), 0 or more.</summary>
    public required int Tenants { get; init; }

    /// <summary>Average compute size while active, in compute units (Neon sizes run from 0.25 to 56).</summary>
    public required double ComputeUnits { get; init; }

    /// <summary>How long each tenant's compute is active per month.</summary>
    public required UsagePattern Usage { get; init; }

    /// <summary>Storage per tenant in GB (10^9 bytes), held all month: for example 1, 10 or 100.</summary>
    public required double StorageGB { get; init; }

    /// <summary>Public network transfer per tenant per month, in GB. Default 0.</summary>
    public double PublicTransferGB { get; init; }

    /// <summary>Instant restore (point-in-time history) per tenant, in GB held all month. Default 0.</summary>
    public double InstantRestoreGB { get; init; }
}
