namespace Neon.Tenancy;

/// <summary>What a restore goes back to (<see cref="TenantPendingRestore.Kind"/>).</summary>
public enum TenantRestoreKind
{
    /// <summary>A moment in the branch's history (<c>ITenantDatabaseProvider.RestoreAsync</c>): in place, the branch id stays.</summary>
    PointInTime = 1,

    /// <summary>A checkpoint (<c>ITenantCheckpoints.RestoreCheckpointAsync</c>): a new branch, the branch id changes.</summary>
    Checkpoint = 2,
}
