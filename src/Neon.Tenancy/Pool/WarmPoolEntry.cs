using System.Text;

namespace Neon.Tenancy;

/// <summary>
/// One warm-pool project as the catalog keeps it: a pool identity, not a tenant (no usage billing, not an orphan). Its
/// secrets are encrypted for <see cref="Identity"/>; a claim re-encrypts them for the tenant and then rotates them.
/// </summary>
internal sealed record WarmPoolEntry
{
    /// <summary>The longest <see cref="Id"/>.</summary>
    public const int MaxIdLength = 26;

    /// <summary>The entry's id: lowercase letters and digits, unique in the catalog (see <see cref="NewId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The region the pool serves, as sign-ups ask for it: a Neon region id, or <c>""</c> for requests without one.</summary>
    public required string Region { get; init; }

    /// <summary>The plan class the project was created for (the first pool plan with its compute settings); <c>""</c> without plans.</summary>
    public required string PlanClass { get; init; }

    /// <summary>The entry's state.</summary>
    public required WarmPoolEntryState State { get; init; }

    /// <summary>The Neon project name: the prefix, <c>pool--</c> and the id (a tenant's never contains <c>--</c> there).</summary>
    public required string ProjectName { get; init; }

    /// <summary>The Neon project id, once created.</summary>
    public string? ProjectId { get; init; }

    /// <summary>The region Neon created the project in (what the tenant's record gets as its region).</summary>
    public string? NeonRegion { get; init; }

    /// <summary>The default branch.</summary>
    public string? BranchId { get; init; }

    /// <summary>The branch's read-write endpoint.</summary>
    public string? EndpointId { get; init; }

    /// <summary>The database name (the provisioning default when the entry was created).</summary>
    public required string DatabaseName { get; init; }

    /// <summary>The owner role name (the provisioning default when the entry was created).</summary>
    public required string RoleName { get; init; }

    /// <summary>The application role, when provisioning has one (created with the project).</summary>
    public string? ApplicationRoleName { get; init; }

    /// <summary>The owner's pooled connection string, encrypted for <see cref="Identity"/>.</summary>
    public ReadOnlyMemory<byte> PooledConnectionSecret { get; init; }

    /// <summary>The owner's direct connection string, encrypted for <see cref="Identity"/>.</summary>
    public ReadOnlyMemory<byte> DirectConnectionSecret { get; init; }

    /// <summary>The application role's pooled connection string, encrypted for <see cref="Identity"/>.</summary>
    public ReadOnlyMemory<byte> ApplicationPooledConnectionSecret { get; init; }

    /// <summary>The application role's direct connection string, encrypted for <see cref="Identity"/>.</summary>
    public ReadOnlyMemory<byte> ApplicationDirectConnectionSecret { get; init; }

    /// <summary>The schema version applied to the project's database.</summary>
    public int SchemaVersion { get; init; }

    /// <summary>The tenant that claimed it (state <see cref="WarmPoolEntryState.Claimed"/>).</summary>
    public TenantId? ClaimedBy { get; init; }

    /// <summary>Why the last creation or migration failed (secret-free), if it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>When the entry was added (set by the store, microsecond precision).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the entry last changed (set by the store, microsecond precision).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The row version: 1 when added, incremented by every update; an update carrying another is refused.</summary>
    public long Version { get; init; }

    /// <summary>What the entry's secrets are encrypted for.</summary>
    public TenantId Identity => TenantId.ForPoolProject(Id);

    /// <summary>A new random id: 20 characters of a-z and 2-7 (100 bits).</summary>
    public static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        Span<byte> bytes = stackalloc byte[20];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[20];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[bytes[i] & 31];
        }

        return new string(chars);
    }

    /// <summary>The project name of an entry.</summary>
    public static string ProjectNameFor(string prefix, string id) => prefix + "pool--" + id;

    /// <summary>Whether this entry holds the same data as another, comparing secrets by content (as <see cref="TenantRecord"/> does).</summary>
    public bool Equals(WarmPoolEntry? other) =>
        other is not null
        && string.Equals(Id, other.Id, StringComparison.Ordinal)
        && string.Equals(Region, other.Region, StringComparison.Ordinal)
        && string.Equals(PlanClass, other.PlanClass, StringComparison.Ordinal)
        && State == other.State
        && string.Equals(ProjectName, other.ProjectName, StringComparison.Ordinal)
        && string.Equals(ProjectId, other.ProjectId, StringComparison.Ordinal)
        && string.Equals(NeonRegion, other.NeonRegion, StringComparison.Ordinal)
        && string.Equals(BranchId, other.BranchId, StringComparison.Ordinal)
        && string.Equals(EndpointId, other.EndpointId, StringComparison.Ordinal)
        && string.Equals(DatabaseName, other.DatabaseName, StringComparison.Ordinal)
        && string.Equals(RoleName, other.RoleName, StringComparison.Ordinal)
        && string.Equals(ApplicationRoleName, other.ApplicationRoleName, StringComparison.Ordinal)
        && PooledConnectionSecret.Span.SequenceEqual(other.PooledConnectionSecret.Span)
        && DirectConnectionSecret.Span.SequenceEqual(other.DirectConnectionSecret.Span)
        && ApplicationPooledConnectionSecret.Span.SequenceEqual(other.ApplicationPooledConnectionSecret.Span)
        && ApplicationDirectConnectionSecret.Span.SequenceEqual(other.ApplicationDirectConnectionSecret.Span)
        && SchemaVersion == other.SchemaVersion
        && ClaimedBy == other.ClaimedBy
        && string.Equals(FailureReason, other.FailureReason, StringComparison.Ordinal)
        && CreatedAt == other.CreatedAt && UpdatedAt == other.UpdatedAt && Version == other.Version;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Version, State);

    /// <summary>Prints ids, state and version; secrets by length only.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Region = ").Append(Region).Append(", PlanClass = ").Append(PlanClass)
            .Append(", State = ").Append(State).Append(", ProjectId = ").Append(ProjectId).Append(", SchemaVersion = ").Append(SchemaVersion)
            .Append(", ClaimedBy = ").Append(ClaimedBy).Append(", Version = ").Append(Version)
            .Append(", DirectConnectionSecret = [").Append(DirectConnectionSecret.Length).Append(" bytes]");
        return true;
    }
}
