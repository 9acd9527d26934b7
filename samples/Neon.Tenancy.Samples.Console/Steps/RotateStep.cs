using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Neon.Tenancy.Samples.Console.Steps;

/// <summary>ITenantDatabaseProvider.RotateCredentialsAsync: a new password, and the application does not notice.</summary>
internal sealed class RotateStep : ITourStep
{
    public string Title => "Rotate credentials: new password, no restart, no failed query";

    public async Task RunAsync(Tour tour, CancellationToken cancellationToken)
    {
        var tenant = tour.Tenant(1).Id;
        var catalog = tour.Services.GetRequiredService<ITenantCatalog>();
        var protector = tour.Services.GetRequiredService<IConnectionSecretProtector>();

        // Kept in memory only, to show below that the old password stops working. Never printed.
        var before = await catalog.GetAsync(tenant, cancellationToken)
            ?? throw new InvalidOperationException($"Tenant {tenant} is not in the catalog.");
        var oldConnectionString = protector.Unprotect(tenant, ConnectionSecretKind.Direct, before.DirectConnectionSecret.Span);

        TenantRecord rotated = null!;
        var took = await Tour.TimeAsync(async () => rotated = await tour.Provider.RotateCredentialsAsync(tenant, cancellationToken));
        tour.Out.Ok($"{tenant}: role {rotated.RoleName} has a new password ({TourOutput.Ms(took)}); the catalog stores it encrypted (record version {before.Version} -> {rotated.Version}).");
        tour.Out.Note("The change feed tells every application instance; their cached data sources for the tenant are replaced.");

        if (tour.SkipWithoutDatabase())
        {
            return;
        }

        var view = await tour.UnitOfWorkAsync(() => tour.ReadNotesAsync(tenant, cancellationToken));
        tour.Out.Ok($"The next query through OpenConnectionAsync({tenant}) works: {view.Database} as {view.Role} sees \"{string.Join(", ", view.Notes)}\".");

        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(oldConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            tour.Out.Warn("The old password still connects (Neon accepts it until the rotation's operation has finished).");
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            tour.Out.Ok($"The old password is refused ({ex.SqlState}: password authentication failed).");
        }
    }
}
