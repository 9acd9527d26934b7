using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// ITenantDatabaseProvider.ProvisionAsync for every tenant at once. Progress comes from the catalog's change feed
/// (ITenantCatalog.SubscribeToChanges), the same feed every application instance sees.
/// </summary>
internal sealed class ProvisionStep : ITourStep
{
    public string Title => "Provision: one Neon project per tenant, three at once";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        tour.Out.Note("ProvisionAsync reserves the tenant in the catalog, creates its project with the plan's quotas and");
        tour.Out.Note("autoscaling in the same call, stores its connection strings encrypted, and waits for Neon's operations.");
        tour.Out.Line();

        var catalog = tour.Services.GetRequiredService<ITenantCatalog>();
        var started = Stopwatch.GetTimestamp();
        var ours = tour.Tenants.Select(t => t.Id).ToHashSet();
        var results = new TenantRecord[tour.Tenants.Count];
        var took = new TimeSpan[tour.Tenants.Count];

        using (catalog.SubscribeToChanges(change =>
        {
            if (change.TenantId is { } id && ours.Contains(id) && Describe(change) is { } text)
            {
                tour.Out.Progress(Stopwatch.GetElapsedTime(started), id.Value, text);
            }
        }))
        {
            await Task.WhenAll(tour.Tenants.Select(async (tenant, i) =>
            {
                // The plan's quotas, autoscaling, suspend timeout and history retention go into the one create call.
                var request = new TenantProvisionRequest { Plan = tenant.Plan };
                var own = Stopwatch.GetTimestamp();
                results[i] = await tour.Provider.ProvisionAsync(tenant.Id, request, cancellationToken);
                took[i] = Stopwatch.GetElapsedTime(own);
                tour.Out.Progress(Stopwatch.GetElapsedTime(started), tenant.Id.Value, results[i].State == TenantState.Ready ? "ready" : $"ended in state {results[i].State}");
            }));
        }

        tour.Out.Table(
            ["tenant", "plan", "state", "neon project", "region", "database", "role", ">took"],
            results.Select((r, i) => (IReadOnlyList<string>)
            [
                r.TenantId.Value, r.Plan, r.State.ToString(), $"{r.ProjectName} ({r.ProjectId})", r.Region ?? "-",
                r.DatabaseName ?? "-", r.RoleName ?? "-", TourOutput.Ms(took[i]),
            ]));

        if (results.Any(r => r.State != TenantState.Ready))
        {
            throw new InvalidOperationException("A tenant is not Ready after provisioning.");
        }

        // Idempotent: asking again for a ready tenant costs one catalog read and no Neon call.
        var again = Stopwatch.GetTimestamp();
        var first = tour.Tenant(0);
        await tour.Provider.ProvisionAsync(first.Id, new TenantProvisionRequest { Plan = first.Plan }, cancellationToken);
        tour.Out.Ok($"Provisioning {first.Id} again is a no-op: {TourOutput.Ms(Stopwatch.GetElapsedTime(again))}, no Neon call, same project.");
    }

    private static string? Describe(TenantChange change) => change switch
    {
        { Kind: TenantChangeKind.Reserved } => "reserved in the catalog (Provisioning)",
        { Kind: TenantChangeKind.Updated, State: TenantState.Ready, StateChanged: true } => null, // printed when ProvisionAsync returns
        { Kind: TenantChangeKind.Updated, ConnectionChanged: true } => "project created; connection strings stored encrypted; waiting for Neon's operations",
        { Kind: TenantChangeKind.Updated, State: TenantState.Provisioning } => "creating its Neon project",
        { Kind: TenantChangeKind.Updated, State: TenantState.Failed } => "FAILED (the next ProvisionAsync resumes)",
        _ => null,
    };
}
