using Microsoft.Extensions.DependencyInjection;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>ITenantDatabaseProvider.RestoreAsync: the tenant's database back to a moment in time, in place.</summary>
internal sealed class RestoreStep : ITourStep
{
    private const string Before = "written before the restore point";
    private const string After = "written after the restore point";

    public string Title => "Point-in-time restore: take one tenant back a few seconds";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenant = tour.Tenant(2).Id;
        var time = tour.Services.GetRequiredService<TimeProvider>();
        DateTimeOffset restorePoint;
        if (tour.CanConnect)
        {
            await tour.WriteNoteAsync(tenant, Before, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            restorePoint = time.GetUtcNow();
            tour.Out.Line($"{tenant}: wrote \"{Before}\"; restore point {restorePoint:HH:mm:ss.fff} UTC");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            await tour.WriteNoteAsync(tenant, After, cancellationToken);
            var written = await tour.ReadNotesAsync(tenant, cancellationToken);
            tour.Out.Line($"{tenant}: wrote \"{After}\"; the tenant now has {written.Notes.Count} rows");
        }
        else
        {
            restorePoint = time.GetUtcNow();
            tour.Out.Line($"{tenant}: restore point {restorePoint:HH:mm:ss.fff} UTC");
        }

        TenantRestoreResult result = null!;
        var took = await Tour.TimeAsync(async () =>
            result = await tour.Provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = restorePoint }, cancellationToken));
        tour.Out.Ok($"Restored {tenant} in place to {restorePoint:HH:mm:ss.fff} UTC ({TourOutput.Ms(took)}); " +
            $"the state before the restore is kept as branch \"{result.PreservedBranchName}\".");

        var branches = new List<IReadOnlyList<string>>();
        await foreach (var branch in tour.Api.Branches.ListAllProjectBranchesAsync(result.Tenant.ProjectId!, cancellationToken: cancellationToken))
        {
            branches.Add([branch.Name, branch.Id, branch.Default ? "yes" : "", branch.ParentTimestamp is { } at ? $"{at.UtcDateTime:HH:mm:ss.fff} UTC" : "-"]);
        }

        tour.Out.Table(["branch", "id", "default", "restored from"], branches);

        if (tour.SkipWithoutDatabase())
        {
            return;
        }

        var view = await tour.UnitOfWorkAsync(() => tour.ReadNotesAsync(tenant, cancellationToken));
        tour.Out.Line($"{tenant} now sees: {string.Join(", ", view.Notes.Select(n => $"\"{n}\""))}");
        if (!view.Notes.Contains(After))
        {
            tour.Out.Ok($"The row {After} is gone; the earlier rows are there.");
        }
        else if (tour.Fake is not null)
        {
            tour.Out.Warn($"The row {After} is still there: the fake cannot rewind PostgreSQL data.");
            tour.Out.Note("The fake checks the request against the history retention, records the restore and the preserved branch");
            tour.Out.Note("in the API, and restarts the tenant's connections (57P01) as Neon does. On Neon the row would be gone.");
        }
        else
        {
            throw new InvalidOperationException($"Tenant {tenant} still has a row written after the restore point.");
        }
    }
}
