using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// NeonCostCalculator: this month's cost per tenant and for the fleet from the counters (IUsageClient.GetFleetUsageAsync),
/// and a what-if estimate like Neon's pricing calculator.
/// </summary>
internal sealed class CostStep : ITourStep
{
    public string Title => "Cost: this month per tenant, and what a thousand tenants would cost";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var prices = tour.Costs.Prices;
        tour.Out.Note(string.Create(CultureInfo.InvariantCulture,
            $"Prices from NeonTenancy:Usage:Prices ({prices.Currency} {prices.ComputePerCuHour}/CU-hour; defaults: Neon's Launch plan list prices, dated in the docs)."));

        var fleet = await tour.Usage.GetFleetUsageAsync(cancellationToken);
        var estimate = tour.Costs.EstimateMonthly(fleet);
        var ours = tour.Tenants.Select(t => t.Id).ToHashSet();
        var rows = estimate.Tenants
            .Where(t => ours.Contains(t.TenantId))
            .OrderBy(t => t.TenantId.Value, StringComparer.Ordinal)
            .Select(t => Row(t.TenantId.Value, t.Estimate))
            .Append(Row("fleet", estimate.Total));
        var now = tour.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var elapsed = fleet.Tenants.Count > 0 ? now - fleet.Tenants[0].PeriodStart : TimeSpan.Zero;
        tour.Out.Note(string.Create(CultureInfo.InvariantCulture,
            $"Whole-month estimates, extrapolated from {elapsed.TotalDays:0.#} days of the current period; the fleet applies the included transfer once."));
        tour.Out.Table(["tenant", ">CU-hours", ">storage GB-months", ">transfer GB", ">compute", ">storage", ">transfer", ">total"], rows);

        // What-if, like neon.com's calculator: tenants x compute size x usage pattern x storage.
        tour.Out.Line();
        tour.Out.Line("What would 1,000 tenants on 0.25 CU with 1 GB each cost per month?");
        var patterns = new (string Name, UsagePattern Pattern)[]
        {
            ("testing (5 h)", UsagePattern.Testing),
            ("business hours (160 h)", UsagePattern.BusinessHours),
            ("always on (730 h)", UsagePattern.AlwaysOn),
        };
        tour.Out.Table(
            ["usage pattern", ">CU-hours", ">compute", ">storage", ">total", ">per tenant"],
            patterns.Select(p =>
            {
                var e = tour.Costs.EstimateScenario(new CostScenario { Tenants = 1_000, ComputeUnits = 0.25, Usage = p.Pattern, StorageGB = 1 });
                return (IReadOnlyList<string>)[p.Name, Number(e.ComputeUnitHours), Money(e.Currency, e.ComputeCost), Money(e.Currency, e.StorageCost), Money(e.Currency, e.Total), Money(e.Currency, e.Total / 1_000)];
            }));
    }

    private static IReadOnlyList<string> Row(string name, CostEstimate e) =>
    [
        name, Number(e.ComputeUnitHours), Number(e.StorageGBMonths), Number(e.PublicTransferGB),
        Money(e.Currency, e.ComputeCost), Money(e.Currency, e.StorageCost + e.InstantRestoreCost + e.SnapshotCost + e.ExtraBranchesCost),
        Money(e.Currency, e.PublicTransferCost + e.PrivateTransferCost), Money(e.Currency, e.Total),
    ];

    private static string Number(decimal value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Money(string currency, decimal value) =>
        (currency == "USD" ? "$" : currency + " ") + value.ToString("#,0.00", CultureInfo.InvariantCulture);
}
