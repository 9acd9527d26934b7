namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>ITenantDatabaseProvider.DeleteAsync and RecoverAsync: Neon keeps a deleted project for a recovery window.</summary>
internal sealed class DeleteRecoverStep : ITourStep
{
    public string Title => "Delete and recover: a deleted tenant comes back with its data";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenant = tour.Tenant(1).Id;
        TenantDeletion deletion = null!;
        var took = await Tour.TimeAsync(async () => deletion = await tour.Provider.DeleteAsync(tenant, cancellationToken));
        tour.Out.Ok($"Deleted {tenant} ({TourOutput.Ms(took)}): catalog state {deletion.Tenant.State}, recoverable until {deletion.RecoverableUntil?.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");

        var recoverable = new List<string>();
        await foreach (var project in tour.Api.Projects.ListAllProjectsAsync(search: deletion.Tenant.ProjectName, recoverable: true, cancellationToken: cancellationToken))
        {
            recoverable.Add($"{project.Name} ({project.Id})");
        }

        tour.Out.Line($"Neon lists it among recoverable projects: {(recoverable.Count == 0 ? "(not listed)" : string.Join(", ", recoverable))}");

        try
        {
            await using var connection = await tour.Connections.OpenConnectionAsync(tenant, TenantConnectionKind.Pooled, cancellationToken);
            throw new InvalidOperationException($"A connection to deleted tenant {tenant} was opened.");
        }
        catch (TenantStateException ex)
        {
            tour.Out.Ok($"OpenConnectionAsync({tenant}) fails at once, without touching the network: {ex.GetType().Name}: {ex.Message}");
        }

        TenantRecord recovered = null!;
        took = await Tour.TimeAsync(async () => recovered = await tour.Provider.RecoverAsync(tenant, cancellationToken));
        tour.Out.Ok($"Recovered {tenant} ({TourOutput.Ms(took)}): state {recovered.State}, same project {recovered.ProjectId}.");

        if (tour.SkipWithoutDatabase())
        {
            return;
        }

        var view = await tour.UnitOfWorkAsync(() => tour.ReadNotesAsync(tenant, cancellationToken));
        tour.Out.Ok($"Its data is back: {view.Database} sees \"{string.Join(", ", view.Notes)}\".");
    }
}
