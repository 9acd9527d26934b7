using System.Globalization;
using System.Text;

namespace Neon.Tenancy;

/// <summary>
/// A named point a tenant can be restored to: a Neon snapshot of the tenant's branch, recorded in the catalog with the
/// caller's metadata (an application version, a code revision: what the checkpoint means to the product). Reading
/// checkpoints reads the catalog only; no Neon call.
/// </summary>
public sealed record TenantCheckpoint
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();

    /// <summary>The tenant.</summary>
    public required TenantId TenantId { get; init; }

    /// <summary>The checkpoint's id: the id of its Neon snapshot.</summary>
    public required string Id { get; init; }

    /// <summary>The name the caller gave it (also the Neon snapshot's name).</summary>
    public required string Name { get; init; }

    /// <summary>When it was taken (the catalog stores microseconds).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The branch it is a snapshot of (the tenant's branch when it was taken).</summary>
    public string? BranchId { get; init; }

    /// <summary>The caller's metadata (at most 32 entries; keys 1-64 characters, values at most 1,024). Never a secret.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>Whether this checkpoint holds the same data as another, comparing metadata by content.</summary>
    /// <param name="other">The other checkpoint.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(TenantCheckpoint? other) =>
        other is not null
        && TenantId == other.TenantId
        && string.Equals(Id, other.Id, StringComparison.Ordinal)
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && CreatedAt == other.CreatedAt
        && string.Equals(BranchId, other.BranchId, StringComparison.Ordinal)
        && Metadata.Count == other.Metadata.Count
        && Metadata.All(pair => other.Metadata.TryGetValue(pair.Key, out var value) && string.Equals(pair.Value, value, StringComparison.Ordinal));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TenantId, Id);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("TenantId = ").Append(TenantId.ToString())
            .Append(", Id = ").Append(Id)
            .Append(", Name = ").Append(Name)
            .Append(", CreatedAt = ").Append(CreatedAt.ToString("O", CultureInfo.InvariantCulture))
            .Append(", BranchId = ").Append(BranchId)
            .Append(", Metadata = ").Append(Metadata.Count).Append(" entries");
        return true;
    }
}
