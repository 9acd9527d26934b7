using System.Text;

namespace Neon.Tenancy;

/// <summary>
/// What the catalog knows about one tenant, and what every tenant operation returns (the provider's, the plans'). One
/// public type for both: the catalog is public (applications may implement <see cref="ITenantCatalog"/>), and its
/// secrets are ciphertexts only the registered <see cref="IConnectionSecretProtector"/> opens, so a second, secret-free
/// copy of the same fields bought nothing but a mapping to keep in step. Immutable: change it with <c>with</c> and
/// <see cref="ITenantCatalog.UpdateAsync(TenantRecord, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// The connection secrets are ciphertexts produced by <see cref="IConnectionSecretProtector"/>; the catalog never
/// sees a plaintext connection string. <see cref="ToString"/> prints their length only.
/// </remarks>
public sealed record TenantRecord
{
    /// <summary>The tenant.</summary>
    public required TenantId TenantId { get; init; }

    /// <summary>The lifecycle state.</summary>
    public required TenantState State { get; init; }

    /// <summary>The plan name (for example <c>free</c>, <c>pro</c>).</summary>
    public required string Plan { get; init; }

    /// <summary>
    /// The tenant's own settings, given at provisioning (<see cref="TenantProvisionRequest.Settings"/>): they replace its
    /// plan's for the create call, drift, reconcile, suspension and the connection layer's pool size, until a plan
    /// change drops them. <see langword="null"/> (the usual case) = the settings of <see cref="Plan"/>.
    /// </summary>
    public TenantPlanSettings? Settings { get; init; }

    /// <summary>The deterministic Neon project name chosen at reservation, so a retry finds an earlier attempt's project.</summary>
    public string? ProjectName { get; init; }

    /// <summary>The Neon project id, once known.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The Neon region id (for example <c>aws-eu-central-1</c>); <see langword="null"/> for the default region.</summary>
    public string? Region { get; init; }

    /// <summary>The id of the tenant's branch.</summary>
    public string? BranchId { get; init; }

    /// <summary>The id of the branch's read-write endpoint (compute).</summary>
    public string? EndpointId { get; init; }

    /// <summary>The database name inside the project.</summary>
    public string? DatabaseName { get; init; }

    /// <summary>The owner role (the database owner; the pooled and direct connection strings connect as it).</summary>
    public string? RoleName { get; init; }

    /// <summary>The version of the application's schema applied to the tenant database (0 = none yet).</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The encrypted pooled connection string (empty when not stored yet).</summary>
    public ReadOnlyMemory<byte> PooledConnectionSecret { get; init; }

    /// <summary>The encrypted direct connection string (empty when not stored yet).</summary>
    public ReadOnlyMemory<byte> DirectConnectionSecret { get; init; }

    /// <summary>
    /// The least-privilege application role (see <see cref="TenantProvisioningOptions.ApplicationRoleName"/>), once
    /// created; <see langword="null"/> when the tenant has none.
    /// </summary>
    public string? ApplicationRoleName { get; init; }

    /// <summary>The encrypted pooled connection string of the application role (empty when the tenant has none).</summary>
    public ReadOnlyMemory<byte> ApplicationPooledConnectionSecret { get; init; }

    /// <summary>The encrypted direct connection string of the application role (empty when the tenant has none).</summary>
    public ReadOnlyMemory<byte> ApplicationDirectConnectionSecret { get; init; }

    /// <summary>
    /// Why the last provisioning attempt failed, in short (for example <c>CreateProject: Neon answered 500 (request id
    /// ...)</c>): the step and the exception type or status, never a secret. Cleared when the tenant becomes ready.
    /// </summary>
    public string? FailureReason { get; init; }

    /// <summary>Until when a deleted tenant's project can be recovered (set on delete, cleared on recover).</summary>
    public DateTimeOffset? RecoverableUntil { get; init; }

    /// <summary>
    /// A restore in progress (a preview waiting to be finalized or discarded, or an interrupted restore the next restore
    /// call finishes); <see langword="null"/> when none.
    /// </summary>
    public TenantPendingRestore? PendingRestore { get; init; }

    /// <summary>When the tenant was reserved (set by the catalog from its <see cref="TimeProvider"/>, microsecond precision).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the record last changed (set by the catalog, microsecond precision).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The row version for optimistic concurrency: 1 after reservation, incremented by every update. An update
    /// carries the version it was based on and is refused when the stored one differs.
    /// </summary>
    public long Version { get; init; }

    /// <summary>Whether this record holds the same data as another, comparing secrets by content.</summary>
    /// <param name="other">The other record.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(TenantRecord? other) =>
        other is not null
        && TenantId == other.TenantId && State == other.State
        && string.Equals(Plan, other.Plan, StringComparison.Ordinal)
        && Settings == other.Settings
        && string.Equals(ProjectName, other.ProjectName, StringComparison.Ordinal)
        && string.Equals(ProjectId, other.ProjectId, StringComparison.Ordinal)
        && string.Equals(Region, other.Region, StringComparison.Ordinal)
        && string.Equals(BranchId, other.BranchId, StringComparison.Ordinal)
        && string.Equals(EndpointId, other.EndpointId, StringComparison.Ordinal)
        && string.Equals(DatabaseName, other.DatabaseName, StringComparison.Ordinal)
        && string.Equals(RoleName, other.RoleName, StringComparison.Ordinal)
        && SchemaVersion == other.SchemaVersion
        && PooledConnectionSecret.Span.SequenceEqual(other.PooledConnectionSecret.Span)
        && DirectConnectionSecret.Span.SequenceEqual(other.DirectConnectionSecret.Span)
        && string.Equals(ApplicationRoleName, other.ApplicationRoleName, StringComparison.Ordinal)
        && ApplicationPooledConnectionSecret.Span.SequenceEqual(other.ApplicationPooledConnectionSecret.Span)
        && ApplicationDirectConnectionSecret.Span.SequenceEqual(other.ApplicationDirectConnectionSecret.Span)
        && string.Equals(FailureReason, other.FailureReason, StringComparison.Ordinal)
        && RecoverableUntil == other.RecoverableUntil
        && PendingRestore == other.PendingRestore
        && CreatedAt == other.CreatedAt && UpdatedAt == other.UpdatedAt && Version == other.Version;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TenantId, Version, State);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("TenantId = ").Append(TenantId.ToString())
            .Append(", State = ").Append(State.ToString())
            .Append(", Plan = ").Append(Plan)
            .Append(", Settings = ").Append(Settings?.ToString())
            .Append(", ProjectName = ").Append(ProjectName)
            .Append(", ProjectId = ").Append(ProjectId)
            .Append(", Region = ").Append(Region)
            .Append(", BranchId = ").Append(BranchId)
            .Append(", EndpointId = ").Append(EndpointId)
            .Append(", DatabaseName = ").Append(DatabaseName)
            .Append(", RoleName = ").Append(RoleName)
            .Append(", SchemaVersion = ").Append(SchemaVersion)
            .Append(", PooledConnectionSecret = ").Append(Describe(PooledConnectionSecret))
            .Append(", DirectConnectionSecret = ").Append(Describe(DirectConnectionSecret))
            .Append(", ApplicationRoleName = ").Append(ApplicationRoleName)
            .Append(", ApplicationPooledConnectionSecret = ").Append(Describe(ApplicationPooledConnectionSecret))
            .Append(", ApplicationDirectConnectionSecret = ").Append(Describe(ApplicationDirectConnectionSecret))
            .Append(", FailureReason = ").Append(FailureReason)
            .Append(", RecoverableUntil = ").Append(RecoverableUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", PendingRestore = ").Append(PendingRestore?.ToString())
            .Append(", CreatedAt = ").Append(CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", UpdatedAt = ").Append(UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Version = ").Append(Version);
        return true;
    }

    private static string Describe(ReadOnlyMemory<byte> secret) => secret.IsEmpty ? "(none)" : "(protected)";
}
