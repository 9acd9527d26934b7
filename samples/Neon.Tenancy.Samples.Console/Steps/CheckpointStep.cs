using Microsoft.Extensions.DependencyInjection;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>ITenantCheckpoints: checkpoint a tenant, break something, preview the checkpoint beside the live data, finalize.</summary>
internal sealed class CheckpointStep : ITourStep
{
    private const string Kept = "written before the checkpoint";
    private const string Broken = "a bad import, after the checkpoint";

    public string Title => "Checkpoints: checkpoint, break something, preview, restore";

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

        // Preview first: the checkpoint's state on a branch of its own, while the tenant keeps serving its current rows.
        var took2 = await Tour.TimeAsync(async () => await checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview, cancellationToken));
        tour.Out.Ok($"Preview of checkpoint {checkpoint.Id} ready ({TourOutput.Ms(took2)}); {tenant} still serves its current data.");
        if (tour.CanConnect)
        {
            await using var preview = await checkpoints.OpenPreviewConnectionAsync(tenant, cancellationToken);
            await using var command = new Npgsql.NpgsqlCommand("SELECT coalesce(array_agg(body ORDER BY id), '{}') FROM notes", preview);
            var previewed = (string[])(await command.ExecuteScalarAsync(cancellationToken))!;
            var live = await tour.UnitOfWorkAsync(() => tour.ReadNotesAsync(tenant, cancellationToken));
            tour.Out.Line($"preview sees: {string.Join(", ", previewed.Select(n => $"\"{n}\""))}");
            tour.Out.Line($"{tenant} still sees: {string.Join(", ", live.Notes.Select(n => $"\"{n}\""))}");
        }

        TenantRecord restored = null!;
        took = await Tour.TimeAsync(async () => restored = await checkpoints.FinalizeRestoreAsync(tenant, cancellationToken));
        tour.Out.Ok($"Finalized ({TourOutput.Ms(took)}): {tenant} now lives on branch {restored.BranchId} " +
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
