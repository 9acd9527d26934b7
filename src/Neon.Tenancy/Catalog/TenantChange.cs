namespace Neon.Tenancy;

/// <summary>A change notification from <see cref="ITenantCatalog.SubscribeToChanges"/>. Carries no secret.</summary>
public sealed record TenantChange
{
    /// <summary>What happened.</summary>
    public required TenantChangeKind Kind { get; init; }

    /// <summary>The tenant; <see langword="null"/> for <see cref="TenantChangeKind.Reset"/>.</summary>
    public TenantId? TenantId { get; init; }

    /// <summary>The record's version after the change (the removed version for <see cref="TenantChangeKind.Removed"/>).</summary>
    public long Version { get; init; }

    /// <summary>The state after the change.</summary>
    public TenantState? State { get; init; }

    /// <summary>The plan after the change.</summary>
    public string? Plan { get; init; }

    /// <summary>Whether an update changed the state.</summary>
    public bool StateChanged { get; init; }

    /// <summary>Whether an update changed the plan or the tenant's own settings (<see cref="TenantRecord.Settings"/>).</summary>
    public bool PlanChanged { get; init; }

    /// <summary>Whether an update changed where or how to connect: secrets, endpoint, branch, database, role or project.</summary>
    public bool ConnectionChanged { get; init; }
}
