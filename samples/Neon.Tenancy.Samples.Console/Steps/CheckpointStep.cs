using Microsoft.Extensions.DependencyInjection;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>ITenantCheckpoints: checkpoint a tenant, break something, restore the checkpoint.</summary>
internal sealed class CheckpointStep : ITourStep
{
    private const string Kept = "written before the checkpoint";
    private const string Broken = "a bad import, after the checkpoint";

    public string Title => "Checkpoints: checkpoint one tenant, break something, restore it";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenant = tour.Tenant(1).Id;
        var checkpoints = tour.Services.GetRequiredService<ITenantCheckpoints>();
        if (tour.CanConnect)
        {
            await tour.UnitOfWorkAsync(async () =>
            {
                await tour.WriteNoteAsync(tenant, Kept, cancellationToken);
                return true;
            });
        }

        TenantCheckpoint checkpoint = null!;
        var took = await Tour.TimeAsync(async () => checkpoint = await checkpoints.CreateCheckpointAsync(
            tenant, "before import", new Dictionary<string, string> { ["app.version"] = "2.4.1", ["reason"] = "tour" }, cancellationToken));
        tour.Out.Ok($"Checkpoint {checkpoint.Id} (\"{checkpoint.Name}\", app.version {checkpoint.Metadata["app.version"]}) of branch {checkpoint.BranchId} ({TourOutput.Ms(took)}).");

        if (tour.CanConnect)
        {
            // The fake copies the database to take a snapshot, which ends its idle connections (Neon's snapshots do not).
            var broken = await tour.UnitOfWorkAsync(async () =>
            {
                await tour.WriteNoteAsync(tenant, Broken, cancellationToken);
                return await tour.ReadNotesAsync(tenant, cancellationToken);
            });
            tour.Out.Line($"{tenant} now sees: {string.Join(", ", broken.Notes.Select(n => $"\"{n}\""))}");
        }

        TenantRecord restored = null!;
        took = await Tour.TimeAsync(async () => restored = await checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id, cancellationToken));
        tour.Out.Ok($"Restored {tenant} to checkpoint {checkpoint.Id} ({TourOutput.Ms(took)}): it now lives on branch {restored.BranchId} " +
            $"(was {checkpoint.BranchId}, kept by Neon); the catalog and every instance's connections follow.");
        tour.Out.Table(["checkpoint", "name", "taken", "metadata"], (await checkpoints.GetCheckpointsAsync(tenant, cancellationToken))
            .Select(c => (IReadOnlyList<string>)[c.Id, c.Name, $"{c.CreatedAt.UtcDateTime:HH:mm:ss.fff} UTC", string.Join(", ", c.Metadata.Select(m => $"{m.Key}={m.Value}"))])
            .ToList());

        if (tour.SkipWithoutDatabase())
        {
            return;
        }

        var view = await tour.UnitOfWorkAsync(() => tour.ReadNotesAsync(tenant, cancellationToken));
        tour.Out.Line($"{tenant} now sees: {string.Join(", ", view.Notes.Select(n => $"\"{n}\""))}");
        if (view.Notes.Contains(Broken) || !view.Notes.Contains(Kept))
        {
            throw new InvalidOperationException($"Tenant {tenant} does not show the checkpoint's rows after the restore.");
        }

        tour.Out.Ok($"The row \"{Broken}\" is gone; \"{Kept}\" is there.");
    }
}
