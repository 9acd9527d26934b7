// The cases are test bodies: like any test they continue on the test framework's context.
#pragma warning disable CA2007
using static Neon.Tenancy.Testing.Contract.ContractRun;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>Contract cases for ListAsync: paging, filters and bad queries.</summary>
internal static class ListCases
{
    public static readonly TenantCatalogContractCase[] All =
    [
        new(nameof(ListAsync_SmallPages_ReturnEveryTenantOnceInIdOrder), "Paging with small pages returns every tenant once, in ordinal id order.", ListAsync_SmallPages_ReturnEveryTenantOnceInIdOrder),
        new(nameof(ListAsync_StateAndPlanFilters_ReturnOnlyMatchingTenants), "State and plan filters return only matching tenants, paged.", ListAsync_StateAndPlanFilters_ReturnOnlyMatchingTenants),
        new(nameof(ListAsync_PageSizeOutOfRange_Throws), "A page size of 0, -1 or above TenantQuery.MaxPageSize throws ArgumentOutOfRangeException.", ListAsync_PageSizeOutOfRange_Throws),
        new(nameof(ListAsync_ForeignContinuationToken_Throws), "A continuation token the catalog did not issue throws ArgumentException.", ListAsync_ForeignContinuationToken_Throws),
    ];

    private static async Task ListAsync_SmallPages_ReturnEveryTenantOnceInIdOrder(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var ids = Enumerable.Range(0, 25).Select(i => $"t-{i:D2}").Append("a").Append("a-0").Append("z9").ToList();
        foreach (var id in ids)
        {
            await catalog.ReserveAsync(Reservation(id), run.CancellationToken);
        }

        var seen = new List<string>();
        var pages = 0;
        var query = new TenantQuery { PageSize = 10 };
        while (true)
        {
            var page = await catalog.ListAsync(query, run.CancellationToken);
            pages++;
            Check.InRange(page.Items.Count, 1, 10, $"number of items on page {pages}");
            seen.AddRange(page.Items.Select(r => r.TenantId.Value));
            if (page.ContinuationToken is null)
            {
                break;
            }

            Check.True(pages < 10, "paging ends (a continuation token after 10 pages of 28 tenants)");
            query = query with { ContinuationToken = page.ContinuationToken };
        }

        Check.Equal(3, pages, "number of pages of 10 for 28 tenants");
        Check.SequenceEqual(ids.Order(StringComparer.Ordinal), seen, "tenant ids over all pages");
    }

    private static async Task ListAsync_StateAndPlanFilters_ReturnOnlyMatchingTenants(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        for (var i = 0; i < 12; i++)
        {
            var record = (await catalog.ReserveAsync(Reservation($"t{i:D2}", i % 3 == 0 ? "pro" : "free"), run.CancellationToken)).Record;
            if (i % 2 == 0)
            {
                await catalog.UpdateAsync(record with { State = TenantState.Ready }, run.CancellationToken);
            }
        }

        var readyPro = await catalog.ListAsync(new TenantQuery { State = TenantState.Ready, Plan = "pro" }, run.CancellationToken);
        var provisioning = await catalog.ListAsync(new TenantQuery { State = TenantState.Provisioning }, run.CancellationToken);
        var free = await catalog.ListAsync(new TenantQuery { Plan = "free", PageSize = 3 }, run.CancellationToken);
        var none = await catalog.ListAsync(new TenantQuery { State = TenantState.Deleted }, run.CancellationToken);

        Check.SequenceEqual(["t00", "t06"], readyPro.Items.Select(r => r.TenantId.Value), "Ready + pro");
        Check.Null(readyPro.ContinuationToken, "ContinuationToken of Ready + pro");
        Check.SequenceEqual(["t01", "t03", "t05", "t07", "t09", "t11"], provisioning.Items.Select(r => r.TenantId.Value), "Provisioning");
        Check.SequenceEqual(["t01", "t02", "t04"], free.Items.Select(r => r.TenantId.Value), "first page of 3 of free");
        Check.True(free.ContinuationToken is not null, "first page of 3 of free has a continuation token");
        Check.Equal(0, none.Items.Count, "number of Deleted tenants");
        Check.Null(none.ContinuationToken, "ContinuationToken of an empty result");
    }

    private static async Task ListAsync_PageSizeOutOfRange_Throws(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();

        foreach (var pageSize in new[] { 0, -1, TenantQuery.MaxPageSize + 1 })
        {
            await Check.ThrowsAsync<ArgumentOutOfRangeException>(
                () => catalog.ListAsync(new TenantQuery { PageSize = pageSize }, run.CancellationToken), $"ListAsync with PageSize {pageSize}");
        }
    }

    private static async Task ListAsync_ForeignContinuationToken_Throws(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();

        await Check.ThrowsAsync<ArgumentException>(
            () => catalog.ListAsync(new TenantQuery { ContinuationToken = "'; DROP TABLE x; --" }, run.CancellationToken), "ListAsync with a foreign continuation token");
    }
}
