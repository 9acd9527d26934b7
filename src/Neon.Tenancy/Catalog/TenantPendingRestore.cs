using System.Globalization;
using System.Text;

namespace Neon.Tenancy;

/// <summary>
/// A restore in progress on a tenant (<see cref="TenantRecord.PendingRestore"/>): written before Neon is asked, so that
/// a crash or timeout at any step is finished by the tenant's next restore call instead of being lost or repeated.
/// Point-in-time and checkpoint restores share it: one restore path, one set of stages.
/// </summary>
/// <remarks>The preview's connection secrets are ciphertexts; <see cref="ToString"/> never prints them.</remarks>
public sealed record TenantPendingRestore
{
    /// <summary>What the tenant goes back to.</summary>
    public required TenantRestoreKind Kind { get; init; }

    /// <summary>Where the restore stands.</summary>
    public required TenantRestoreStage Stage { get; init; }

    /// <summary>Whether the restored state is previewed before it replaces the tenant's data (checkpoints only).</summary>
    public bool Preview { get; init; }

    /// <summary>The checkpoint restored (<see cref="TenantRestoreKind.Checkpoint"/>).</summary>
    public string? CheckpointId { get; init; }

    /// <summary>The moment restored to (<see cref="TenantRestoreKind.PointInTime"/>, unless <see cref="Lsn"/>).</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The LSN restored to (<see cref="TenantRestoreKind.PointInTime"/>, unless <see cref="Timestamp"/>).</summary>
    public string? Lsn { get; init; }

    /// <summary>
    /// The name of the branch the restore makes: for a point-in-time restore the branch that keeps the state before it
    /// (Neon's <c>preserve_under_name</c>); for a preview the preview branch. Chosen before Neon is asked, so that an
    /// interrupted call finds what it made.
    /// </summary>
    public string? BranchName { get; init; }

    /// <summary>The tenant's branch when the restore started.</summary>
    public required string PreviousBranchId { get; init; }

    /// <summary>The preview branch, once Neon made it.</summary>
    public string? BranchId { get; init; }

    /// <summary>The preview branch's read-write endpoint.</summary>
    public string? EndpointId { get; init; }

    /// <summary>The preview's encrypted pooled connection string (empty until it exists).</summary>
    public ReadOnlyMemory<byte> PooledConnectionSecret { get; init; }

    /// <summary>The preview's encrypted direct connection string (empty until it exists).</summary>
    public ReadOnlyMemory<byte> DirectConnectionSecret { get; init; }

    /// <summary>When the restore started (microsecond precision).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Whether this holds the same data as another, comparing secrets by content.</summary>
    /// <param name="other">The other value.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(TenantPendingRestore? other) =>
        other is not null
        && Kind == other.Kind && Stage == other.Stage && Preview == other.Preview
        && string.Equals(CheckpointId, other.CheckpointId, StringComparison.Ordinal)
        && Timestamp == other.Timestamp
        && string.Equals(Lsn, other.Lsn, StringComparison.Ordinal)
        && string.Equals(BranchName, other.BranchName, StringComparison.Ordinal)
        && string.Equals(PreviousBranchId, other.PreviousBranchId, StringComparison.Ordinal)
        && string.Equals(BranchId, other.BranchId, StringComparison.Ordinal)
        && string.Equals(EndpointId, other.EndpointId, StringComparison.Ordinal)
        && PooledConnectionSecret.Span.SequenceEqual(other.PooledConnectionSecret.Span)
        && DirectConnectionSecret.Span.SequenceEqual(other.DirectConnectionSecret.Span)
        && StartedAt == other.StartedAt;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Stage, PreviousBranchId, StartedAt);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Kind = ").Append(Kind.ToString())
            .Append(", Stage = ").Append(Stage.ToString())
            .Append(", Preview = ").Append(Preview)
            .Append(", CheckpointId = ").Append(CheckpointId)
            .Append(", Timestamp = ").Append(Timestamp?.ToString("O", CultureInfo.InvariantCulture))
            .Append(", Lsn = ").Append(Lsn)
            .Append(", BranchName = ").Append(BranchName)
            .Append(", PreviousBranchId = ").Append(PreviousBranchId)
            .Append(", BranchId = ").Append(BranchId)
            .Append(", EndpointId = ").Append(EndpointId)
            .Append(", PooledConnectionSecret = ").Append(PooledConnectionSecret.IsEmpty ? "(none)" : "(protected)")
            .Append(", DirectConnectionSecret = ").Append(DirectConnectionSecret.IsEmpty ? "(none)" : "(protected)")
            .Append(", StartedAt = ").Append(StartedAt.ToString("O", CultureInfo.InvariantCulture));
        return true;
    }
}
