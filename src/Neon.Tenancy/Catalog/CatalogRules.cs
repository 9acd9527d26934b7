namespace Neon.Tenancy;

/// <summary>Rules both catalog implementations share, so they behave identically.</summary>
internal static class CatalogRules
{
    /// <summary>The current time at the precision PostgreSQL stores (microseconds), UTC.</summary>
    public static DateTimeOffset Now(TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>A time at the precision PostgreSQL stores (microseconds), UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    public static void Validate(TenantReservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        RequireTenant(reservation.TenantId, nameof(reservation));
        RequirePlan(reservation.Plan, nameof(reservation));
    }

    public static void Validate(TenantRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireTenant(record.TenantId, nameof(record));
        RequirePlan(record.Plan, nameof(record));
        if (!TenantStates.IsDefined(record.State))
        {
            throw new ArgumentException($"Tenant '{record.TenantId}': State {(int)record.State} is not a defined TenantState.", nameof(record));
        }

        if (record.Version < 1)
        {
            throw new ArgumentException($"Tenant '{record.TenantId}': Version must be the version read from the catalog (1 or more).", nameof(record));
        }
    }

    /// <summary>The most metadata entries a checkpoint carries, and the longest key and value.</summary>
    public const int MaxCheckpointMetadata = 32, MaxCheckpointMetadataKey = 64, MaxCheckpointMetadataValue = 1024;

    /// <summary>The longest checkpoint id (a Neon snapshot id) and name.</summary>
    public const int MaxCheckpointId = 64, MaxCheckpointName = 256;

    public static void Validate(TenantCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        RequireTenant(checkpoint.TenantId, nameof(checkpoint));
        RequireCheckpointId(checkpoint.Id, nameof(checkpoint));
        if (string.IsNullOrWhiteSpace(checkpoint.Name) || checkpoint.Name.Length > MaxCheckpointName)
        {
            throw new ArgumentException($"Checkpoint name must be 1 to {MaxCheckpointName} characters, not blank.", nameof(checkpoint));
        }

        ArgumentNullException.ThrowIfNull(checkpoint.Metadata, nameof(checkpoint));
        if (checkpoint.Metadata.Count > MaxCheckpointMetadata)
        {
            throw new ArgumentException($"A checkpoint carries at most {MaxCheckpointMetadata} metadata entries; it has {checkpoint.Metadata.Count}.", nameof(checkpoint));
        }

        foreach (var (key, value) in checkpoint.Metadata)
        {
            if (string.IsNullOrEmpty(key) || key.Length > MaxCheckpointMetadataKey)
            {
                throw new ArgumentException($"Checkpoint metadata keys must be 1 to {MaxCheckpointMetadataKey} characters.", nameof(checkpoint));
            }

            if (value is null || value.Length > MaxCheckpointMetadataValue)
            {
                // The key is the caller's label (not a secret); the value is never quoted.
                throw new ArgumentException($"Checkpoint metadata '{key}' must have a value of at most {MaxCheckpointMetadataValue} characters.", nameof(checkpoint));
            }
        }
    }

    public static void RequireCheckpointId(string checkpointId, string paramName)
    {
        if (string.IsNullOrWhiteSpace(checkpointId) || checkpointId.Length > MaxCheckpointId)
        {
            throw new ArgumentException($"Checkpoint id must be 1 to {MaxCheckpointId} characters, not blank.", paramName);
        }
    }

    public static void RequireTenant(TenantId tenantId, string paramName)
    {
        TenantId.ThrowIfDefault(tenantId, paramName);
    }

    /// <summary>The change a reservation publishes: everything is new.</summary>
    public static TenantChange Reserved(TenantRecord record) =>
        Change(TenantChangeKind.Reserved, record, stateChanged: true, planChanged: true, connectionChanged: true);

    /// <summary>The change an update publishes: what differs between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static TenantChange Updated(TenantRecord before, TenantRecord after) => Change(
        TenantChangeKind.Updated,
        after,
        stateChanged: before.State != after.State,
        planChanged: !string.Equals(before.Plan, after.Plan, StringComparison.Ordinal) || before.Settings != after.Settings,
        connectionChanged:
            !before.PooledConnectionSecret.Span.SequenceEqual(after.PooledConnectionSecret.Span)
            || !before.DirectConnectionSecret.Span.SequenceEqual(after.DirectConnectionSecret.Span)
            || !string.Equals(before.ProjectId, after.ProjectId, StringComparison.Ordinal)
            || !string.Equals(before.BranchId, after.BranchId, StringComparison.Ordinal)
            || !string.Equals(before.EndpointId, after.EndpointId, StringComparison.Ordinal)
            || !string.Equals(before.DatabaseName, after.DatabaseName, StringComparison.Ordinal)
            || !string.Equals(before.RoleName, after.RoleName, StringComparison.Ordinal)
            || !string.Equals(before.ApplicationRoleName, after.ApplicationRoleName, StringComparison.Ordinal)
            || !before.ApplicationPooledConnectionSecret.Span.SequenceEqual(after.ApplicationPooledConnectionSecret.Span)
            || !before.ApplicationDirectConnectionSecret.Span.SequenceEqual(after.ApplicationDirectConnectionSecret.Span));

    /// <summary>The change a removal publishes.</summary>
    public static TenantChange Removed(TenantRecord record) =>
        Change(TenantChangeKind.Removed, record, stateChanged: true, planChanged: false, connectionChanged: true);

    private static TenantChange Change(TenantChangeKind kind, TenantRecord record, bool stateChanged, bool planChanged, bool connectionChanged) => new()
    {
        Kind = kind,
        TenantId = record.TenantId,
        Version = record.Version,
        State = record.State,
        Plan = record.Plan,
        StateChanged = stateChanged,
        PlanChanged = planChanged,
        ConnectionChanged = connectionChanged,
    };

    private static void RequirePlan(string plan, string paramName)
    {
        // The catalog stores any label (the SDK's entry points apply the plan-name rule, TenantRequestRules), but
        // bounded: the plan is a column and rides in every change-feed notification (PostgreSQL caps NOTIFY payloads).
        if (string.IsNullOrWhiteSpace(plan) || plan.Length > TenantRequestRules.MaxPlanNameLength)
        {
            throw new ArgumentException($"Plan must be a non-empty plan name of at most {TenantRequestRules.MaxPlanNameLength} characters.", paramName);
        }
    }
}
