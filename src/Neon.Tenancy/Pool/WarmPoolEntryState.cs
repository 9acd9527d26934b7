namespace Neon.Tenancy;

/// <summary>Where a warm-pool project is in its life: created, kept at the current schema, claimed or recycled.</summary>
internal enum WarmPoolEntryState
{
    /// <summary>Recorded before its create call is sent (so a crash finds the project by its name); not claimable.</summary>
    Creating,

    /// <summary>Created, initialized (schema at <see cref="WarmPoolEntry.SchemaVersion"/>, application role) and left to scale to zero: claimable.</summary>
    Ready,

    /// <summary>Being migrated to a newer schema version by the replenisher; not claimable.</summary>
    Migrating,

    /// <summary>
    /// Claimed by <see cref="WarmPoolEntry.ClaimedBy"/>: the tenant's record already holds the project; the claim's last
    /// steps (plan, name, credentials) run under the tenant's lock, then the entry is removed.
    /// </summary>
    Claimed,

    /// <summary>Being deleted (too old, no longer configured, or a failed creation or migration); not claimable.</summary>
    Recycling,
}
