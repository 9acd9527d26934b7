namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>
/// ITenantConnectionFactory.OpenConnectionAsync(tenant): every tenant writes a row into its own database and reads
/// back only its own rows.
/// </summary>
internal sealed class IsolationStep : ITourStep
{
    public string Title => "Isolation: each tenant writes and reads its own database";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        if (tour.SkipWithoutDatabase())
        {
            return;
        }

        tour.Out.Note("OpenConnectionAsync(tenant) routes to the tenant's pooled connection string from the catalog; the");
        tour.Out.Note("application never sees a connection string, and no Neon API call happens on this path.");

        foreach (var tenant in tour.Tenants)
        {
            await tour.WriteNoteAsync(tenant.Id, $"hello from {tenant.Id}", cancellationToken);
        }

        var views = new List<(SampleTenant Tenant, TenantView View)>();
        foreach (var tenant in tour.Tenants)
        {
            views.Add((tenant, await tour.ReadNotesAsync(tenant.Id, cancellationToken)));
        }

        tour.Out.Table(
            ["tenant", "host", "current_database()", "current_user", "rows it sees"],
            views.Select(v => (IReadOnlyList<string>)[v.Tenant.Id.Value, v.View.Host, v.View.Database, v.View.Role, string.Join(", ", v.View.Notes)]));

        foreach (var (tenant, view) in views)
        {
            if (view.Notes.Count != 1 || view.Notes[0] != $"hello from {tenant.Id}")
            {
                throw new InvalidOperationException($"Tenant {tenant.Id} sees rows that are not its own.");
            }
        }

        if (views.Select(v => v.View.Database).Distinct(StringComparer.Ordinal).Count() != views.Count)
        {
            throw new InvalidOperationException("Two tenants share a database.");
        }

        tour.Out.Ok($"{views.Count} tenants, {views.Count} databases, {views.Count} roles: each sees exactly its own row.");
    }
}
