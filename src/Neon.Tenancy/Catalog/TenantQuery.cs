namespace Neon.Tenancy;

/// <summary>A page request for <see cref="ITenantCatalog.ListAsync"/>. Results are ordered by tenant id (ordinal).</summary>
public sealed record TenantQuery
{
    /// <summary>The largest allowed <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Only tenants in this state; <see langword="null"/> for all.</summary>
    public TenantState? State { get; init; }

    /// <summary>Only tenants on this plan; <see langword="null"/> for all.</summary>
    public string? Plan { get; init; }

    /// <summary>Tenants per page, 1 to <see cref="MaxPageSize"/>. Default 100.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The <see cref="TenantPage.ContinuationToken"/> of the previous page; <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }

    internal TenantId? After()
    {
        if (PageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, $"PageSize must be between 1 and {MaxPageSize}.");
        }

        if (State is { } state && !TenantStates.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(State), state, "Unknown tenant state.");
        }

        if (ContinuationToken is null)
        {
            return null;
        }

        return TenantId.TryParse(ContinuationToken, out var after)
            ? after
            : throw new ArgumentException("The continuation token was not produced by this catalog.", nameof(ContinuationToken));
    }
}
