namespace Neon.Tenancy;

/// <summary>Rules both ledger implementations share, so they behave identically.</summary>
internal static class FleetLedgerRules
{
    /// <summary>A run's entries: one per tenant (the ledger's key is the run and the tenant), each in a defined state.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="entries"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry is null, has no tenant or an undefined state, or names a tenant another entry names.</exception>
    public static void ValidateEntries(IReadOnlyList<FleetLedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var seen = new HashSet<string>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is null)
            {
                throw new ArgumentException("A fleet run's entries may not be null.", nameof(entries));
            }

            CatalogRules.RequireTenant(entry.TenantId, nameof(entries));
            RequireDefined(entry.State, nameof(entries));
            if (!seen.Add(entry.TenantId.Value))
            {
                throw new ArgumentException($"Tenant '{entry.TenantId}' is listed twice in the fleet run's entries; a tenant is in one wave of a run.", nameof(entries));
            }
        }
    }

    /// <summary>A state a recorded run can be in (<see cref="FleetRunState.NothingToDo"/> is never recorded).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Any other value.</exception>
    public static void RequireRecordable(FleetRunState state, string paramName)
    {
        if (state is not (FleetRunState.Running or FleetRunState.Completed or FleetRunState.Halted))
        {
            throw new ArgumentOutOfRangeException(paramName, state, "A recorded fleet run is running, completed or halted.");
        }
    }

    /// <summary>A defined tenant state.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined value.</exception>
    public static void RequireDefined(FleetTenantState state, string paramName)
    {
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(paramName, state, "Not a defined FleetTenantState.");
        }
    }

    /// <summary>An entry at the precision PostgreSQL stores its times (microseconds), as the ledger stores it.</summary>
    public static FleetLedgerEntry Stored(FleetLedgerEntry entry) => entry with
    {
        StartedAt = Truncate(entry.StartedAt),
        EndedAt = Truncate(entry.EndedAt),
        LeaseUntil = Truncate(entry.LeaseUntil),
        NotBefore = Truncate(entry.NotBefore),
    };

    /// <summary>A time at the precision PostgreSQL stores (microseconds), UTC; null stays null.</summary>
    public static DateTimeOffset? Truncate(DateTimeOffset? value) => value is { } time ? CatalogRules.Truncate(time) : null;

    /// <summary>What ending or reopening a run that is not recorded throws.</summary>
    public static KeyNotFoundException RunNotFound(string runId) => new($"No fleet run '{runId}' is recorded.");
}
