namespace Neon.Tenancy;

/// <summary>How <see cref="ITenantCheckpoints.RestoreCheckpointAsync"/> restores.</summary>
public enum TenantRestoreMode
{
    /// <summary>Restore and finalize at once: the tenant moves to the restored branch in one call.</summary>
    Finalize = 0,

    /// <summary>
    /// Restore to a preview branch of its own and stop there: <see cref="ITenantCheckpoints.OpenPreviewConnectionAsync"/>
    /// shows the restored state while the tenant keeps serving its current data; then
    /// <see cref="ITenantCheckpoints.FinalizeRestoreAsync"/> or <see cref="ITenantCheckpoints.DiscardRestoreAsync"/>.
    /// </summary>
    Preview = 1,
}
