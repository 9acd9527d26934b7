namespace Neon.Tenancy;

/// <summary>Where <see cref="ITenantDatabaseProvider.RestoreAsync"/> restores a tenant to: exactly one of a timestamp and an LSN.</summary>
public sealed record TenantRestoreRequest
{
    /// <summary>Restore to the state at this time.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Restore to this WAL position (for example <c>0/1A2B3C4</c>).</summary>
    public string? Lsn { get; init; }

    /// <summary>The branch name to keep the pre-restore state under: 1 to 256 characters (Neon's limit), no control characters, no leading or trailing whitespace; <see langword="null"/> for <c>pre-restore-{UTC time, yyyyMMddTHHmmssZ}</c>.</summary>
    public string? PreserveUnderName { get; init; }
}
