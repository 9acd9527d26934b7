using System.Runtime.CompilerServices;

namespace Neon.Tenancy.Api;

/// <summary>
/// Follows the API's two pagination shapes: <c>pagination.cursor</c> (projects, operations, consumption) and
/// <c>pagination.next</c> (branches). Stops on an empty page or a missing cursor, and refuses a cursor the API
/// already returned, which would otherwise loop forever.
/// </summary>
internal static class NeonPager
{
    public static async IAsyncEnumerable<TItem> EnumerateAsync<TPage, TItem>(
        string routeTemplate,
        Func<string?, CancellationToken, Task<TPage>> fetchPage,
        Func<TPage, IEnumerable<TItem>?> items,
        Func<TPage, string?> nextCursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        while (true)
        {
            var page = await fetchPage(cursor, cancellationToken).ConfigureAwait(false);
            var any = false;
            foreach (var item in items(page) ?? [])
            {
                any = true;
                yield return item;
            }

            cursor = nextCursor(page);
            if (!any || string.IsNullOrEmpty(cursor))
            {
                yield break;
            }

            if (!seen.Add(cursor))
            {
                throw new NeonApiException($"The Neon API returned the pagination cursor '{cursor}' of {routeTemplate} twice; paging stopped to avoid an endless loop.");
            }
        }
    }
}
