namespace Neon.Tenancy.Testing;

/// <summary>
/// The catalog one <see cref="TenantCatalogContractCase"/> runs against: give each case run its own, fresh storage
/// (a new database or schema, or a new in-memory store).
/// </summary>
public interface ITenantCatalogContractTarget
{
    /// <summary>
    /// A new catalog instance over this run's storage, as a second application instance would see it: every call
    /// after the first must share the data of the first. The case disposes every catalog it created when it ends.
    /// </summary>
    /// <param name="timeProvider">The clock the catalog must read (a fake clock the case advances).</param>
    /// <returns>The catalog.</returns>
    ValueTask<ITenantCatalog> CreateCatalogAsync(TimeProvider timeProvider);

    /// <summary>Completes when <paramref name="catalog"/>'s change feed delivers changes made from now on.</summary>
    /// <param name="catalog">A catalog this target created.</param>
    /// <returns>A task that completes when the change feed is ready; by default at once.</returns>
    ValueTask WhenChangeFeedReadyAsync(ITenantCatalog catalog) => ValueTask.CompletedTask;
}
