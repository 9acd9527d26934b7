namespace Neon.Tenancy;

/// <summary>How <see cref="IPlanLimits.ReconcileAsync"/> runs.</summary>
public sealed record PlanReconcileOptions
{
    /// <summary>Tenants checked at once. Default 4.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Only report drift, change nothing. Default <see langword="false"/>.</summary>
    public bool DryRun { get; init; }
}
