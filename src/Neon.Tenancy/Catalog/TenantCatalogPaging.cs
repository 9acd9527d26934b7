using System.Runtime.CompilerServices;

namespace Neon.Tenancy;

/// <summary>
/// The one way the SDK reads the whole catalog: page after page of <see cref="ITenantCatalog.ListAsync"/> at
/// <see cref="TenantQuery.MaxPageSize"/>, streamed, so a fleet of any size is never held in memory at once. Named as
/// the API client names them: <c>ListXxxAsync</c> reads one page, <c>ListAllXxxAsync</c> streams every page.
/// </summary>
internal static class TenantCatalogPaging
{
    /// <summary>Streams every tenant matching <paramref name="query"/>'s filters, ordered by tenant id.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="query">The filters (state, plan); its page size and continuation token are ignored.</param>
    /// <param name="cancellationToken">Cancels the read between and during pages.</param>
    /// <returns>The tenants, one page fetched at a time.</returns>
    public static async IAsyncEnumerable<TenantRecord> ListAllAsync(
        this ITenantCatalog catalog,
        TenantQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = (query ?? new TenantQuery()) with { PageSize = TenantQuery.MaxPageSize, ContinuationToken = null };
        do
        {
            var result = await catalog.ListAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var record in result.Items)
            {
                yield return record;
            }

            page = page with { ContinuationToken = result.ContinuationToken };
        }
        while (page.ContinuationToken is not null);
    }
}
