// The cases are test bodies: like any test they continue on the test framework's context.
#pragma warning disable CA2007
using static Neon.Tenancy.Testing.Contract.ContractRun;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>Contract cases for ReserveAsync, GetAsync, RemoveAsync and reading through another instance.</summary>
internal static class ReserveCases
{
    public static readonly TenantCatalogContractCase[] All =
    [
        new(nameof(ReserveAsync_NewTenant_CreatesProvisioningRecordAtVersion1), "ReserveAsync of a new tenant creates a Provisioning record at version 1 with every given field.", ReserveAsync_NewTenant_CreatesProvisioningRecordAtVersion1),
        new(nameof(ReserveAsync_ExistingTenant_ReturnsExistingRecordUnchanged), "ReserveAsync of an existing tenant returns the existing record unchanged.", ReserveAsync_ExistingTenant_ReturnsExistingRecordUnchanged),
        new(nameof(ReserveAsync_100ConcurrentCallsThroughTwoInstances_ExactlyOneCreates), "100 concurrent ReserveAsync calls through two instances: exactly one creates, all see its record.", ReserveAsync_100ConcurrentCallsThroughTwoInstances_ExactlyOneCreates),
        new(nameof(GetAsync_UnknownTenant_ReturnsNull), "GetAsync of an unknown tenant returns null.", GetAsync_UnknownTenant_ReturnsNull),
        new(nameof(RemoveAsync_ExistingTenant_RemovesItOnce), "RemoveAsync removes an existing tenant once; it can be reserved again.", RemoveAsync_ExistingTenant_RemovesItOnce),
        new(nameof(Data_ReadThroughNewCatalogInstance_IsIdentical), "A record read through a new catalog instance is identical to the stored one.", Data_ReadThroughNewCatalogInstance_IsIdentical),
    ];

    private static async Task ReserveAsync_NewTenant_CreatesProvisioningRecordAtVersion1(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();

        var result = await catalog.ReserveAsync(Reservation("acme", "pro"), run.CancellationToken);

        Check.True(result.Created, "Created");
        var record = result.Record;
        Check.Equal(TenantId.Parse("acme"), record.TenantId, "TenantId");
        Check.Equal(TenantState.Provisioning, record.State, "State");
        Check.Equal("pro", record.Plan, "Plan");
        Check.Equal("aws-eu-central-1", record.Region, "Region");
        Check.Equal("tenant-acme", record.ProjectName, "ProjectName");
        Check.Null(record.ProjectId, "ProjectId");
        Check.Equal(0, record.SchemaVersion, "SchemaVersion");
        Check.True(record.PooledConnectionSecret.IsEmpty, "PooledConnectionSecret.IsEmpty");
        Check.True(record.DirectConnectionSecret.IsEmpty, "DirectConnectionSecret.IsEmpty");
        Check.Equal(1L, record.Version, "Version");
        Check.Equal(run.NowMicroseconds(), record.CreatedAt, "CreatedAt (the clock's time, truncated to microseconds)");
        Check.Equal(record.CreatedAt, record.UpdatedAt, "UpdatedAt");
        Check.Equal(record, await catalog.GetAsync(record.TenantId, run.CancellationToken), "GetAsync after ReserveAsync");
    }

    private static async Task ReserveAsync_ExistingTenant_ReturnsExistingRecordUnchanged(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var first = await catalog.ReserveAsync(Reservation("acme", "pro"), run.CancellationToken);
        run.Time.Advance(TimeSpan.FromMinutes(1));

        var second = await catalog.ReserveAsync(Reservation("acme", "free", region: null), run.CancellationToken);

        Check.False(second.Created, "Created of the second ReserveAsync");
        Check.Equal(first.Record, second.Record, "Record of the second ReserveAsync");
    }

    private static async Task ReserveAsync_100ConcurrentCallsThroughTwoInstances_ExactlyOneCreates(ContractRun run)
    {
        var catalogs = new[] { await run.CreateCatalogAsync(), await run.CreateCatalogAsync() };
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 100)
            .Select(i => Task.Run(async () =>
            {
                start.Wait(run.CancellationToken);
                return await catalogs[i % 2].ReserveAsync(Reservation("contended", "plan-" + i), run.CancellationToken);
            }))
            .ToArray();
        start.Set();
        var results = await run.Bounded(Task.WhenAll(tasks));

        Check.Equal(1, results.Count(r => r.Created), "number of calls that created the tenant");
        var winner = results.Single(r => r.Created).Record;
        foreach (var result in results)
        {
            Check.Equal(winner, result.Record, "Record returned to a losing call");
        }

        Check.Equal(winner, await catalogs[0].GetAsync(winner.TenantId, run.CancellationToken), "GetAsync after the race");
    }

    private static async Task GetAsync_UnknownTenant_ReturnsNull(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();

        Check.Null(await catalog.GetAsync(TenantId.Parse("nobody"), run.CancellationToken), "GetAsync of an unknown tenant");
    }

    private static async Task RemoveAsync_ExistingTenant_RemovesItOnce(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var id = (await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken)).Record.TenantId;

        Check.True(await catalog.RemoveAsync(id, run.CancellationToken), "first RemoveAsync");
        Check.Null(await catalog.GetAsync(id, run.CancellationToken), "GetAsync after RemoveAsync");
        Check.False(await catalog.RemoveAsync(id, run.CancellationToken), "second RemoveAsync");
        Check.True((await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken)).Created, "Created of ReserveAsync after RemoveAsync");
    }

    private static async Task Data_ReadThroughNewCatalogInstance_IsIdentical(ContractRun run)
    {
        var first = await run.CreateCatalogAsync();
        var reserved = (await first.ReserveAsync(Reservation("acme", "pro"), run.CancellationToken)).Record;
        var stored = await first.UpdateAsync(reserved with
        {
            State = TenantState.Ready,
            ProjectId = "p-1",
            PooledConnectionSecret = new byte[] { 42, 0, 255 },
        }, run.CancellationToken);

        var second = await run.CreateCatalogAsync();

        Check.Equal(stored, await second.GetAsync(stored.TenantId, run.CancellationToken), "GetAsync through a new instance");
        Check.SequenceEqual([stored], (await second.ListAsync(new TenantQuery(), run.CancellationToken)).Items, "ListAsync through a new instance");
    }
}
