namespace Neon.Tenancy;

/// <summary>
/// Where a restore stands (<see cref="TenantPendingRestore.Stage"/>). <see cref="Previewing"/> is the one resting stage;
/// a record found in another stage is a restore that was interrupted, and the tenant's next restore call (or checkpoint)
/// finishes it first.
/// </summary>
public enum TenantRestoreStage
{
    /// <summary>Recorded; Neon's restore may or may not have been sent. The next call looks at Neon and finishes or sends it.</summary>
    Requested = 1,

    /// <summary>The restored state is on a preview branch of its own while the tenant keeps serving its current data; finalize or discard it.</summary>
    Previewing = 2,

    /// <summary>Finalizing a preview: Neon moves the tenant's computes onto the preview branch; the catalog follows.</summary>
    Finalizing = 3,
}
