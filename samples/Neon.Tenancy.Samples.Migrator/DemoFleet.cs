using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>
/// Offline only: a fleet to migrate. Tenants are provisioned by the release before this one (a host whose migrator has
/// only the first script), so they start at schema v1 with a few notes each; the poisoned ones also have a note with a
/// blank title, which the last script refuses.
/// </summary>
internal static class DemoFleet
{
    /// <summary>The previous release's scripts: the first one only.</summary>
    public const string PreviousReleaseScripts = MigratorHost.ScriptPrefix + "0001_";

    public static TenantId Tenant(int number) => TenantId.Parse(string.Create(CultureInfo.InvariantCulture, $"tenant-{number:000}"));

    /// <summary>Which of tenants 1..<paramref name="count"/> are poisoned: <paramref name="poison"/> of them, spread over the fleet.</summary>
    public static IReadOnlyList<TenantId> Poisoned(int count, int poison) => Enumerable.Range(0, poison)
        .Select(i => Tenant(1 + (int)(((long)i * count + count / 2) / Math.Max(1, poison))))
        .Distinct()
        .ToArray();

    /// <summary>Provisions tenants 1..<paramref name="count"/> through the previous release's host and writes their notes.</summary>
    public static async Task SeedAsync(IServiceProvider services, int count, IReadOnlyCollection<TenantId> poisoned, FleetDisplay display, CancellationToken cancellationToken)
    {
        var provider = services.GetRequiredService<ITenantDatabaseProvider>();
        var connections = services.GetRequiredService<ITenantConnectionFactory>();
        await display.CountAsync($"Provisioning {count} demo tenants at schema v1", count, tick =>
            Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (number, token) =>
            {
                var tenant = Tenant(number);
                await provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" }, token);

                await using var connection = await connections.OpenConnectionAsync(tenant, cancellationToken: token);
                await using var batch = new NpgsqlBatch(connection);
                foreach (var title in new[] { "Welcome", "Groceries", "Ideas" })
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO notes (title, body) VALUES ($1, $2)")
                    {
                        Parameters = { new() { Value = title }, new() { Value = $"{title} of {tenant}" } },
                    });
                }

                if (poisoned.Contains(tenant))
                {
                    // What an old client could save, and script 0004 refuses.
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO notes (title, body) VALUES ('  ', 'a note saved without a title')"));
                }

                await batch.ExecuteNonQueryAsync(token);
                tick();
            }));
    }
}
