// The cases are test bodies: like any test they continue on the test framework's context.
#pragma warning disable CA2007
using static Neon.Tenancy.Testing.Contract.ContractRun;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>Contract cases for the checkpoint records: AddCheckpointAsync, GetCheckpointsAsync, RemoveCheckpointAsync.</summary>
internal static class CheckpointCases
{
    public static readonly TenantCatalogContractCase[] All =
    [
        new(nameof(AddCheckpointAsync_Several_ListedOldestFirstWithEveryField), "Checkpoints are listed oldest first, with every field as given (times in microseconds, metadata by content).", AddCheckpointAsync_Several_ListedOldestFirstWithEveryField),
        new(nameof(AddCheckpointAsync_SameIdTwice_KeepsTheFirst), "Recording a checkpoint id twice keeps the first record and returns it.", AddCheckpointAsync_SameIdTwice_KeepsTheFirst),
        new(nameof(AddCheckpointAsync_UnknownTenant_ThrowsTenantNotFound), "Recording a checkpoint of a tenant not in the catalog throws TenantNotFoundException.", AddCheckpointAsync_UnknownTenant_ThrowsTenantNotFound),
        new(nameof(AddCheckpointAsync_BadCheckpoint_ThrowsArgumentException), "A blank name or too much metadata throws ArgumentException and records nothing.", AddCheckpointAsync_BadCheckpoint_ThrowsArgumentException),
        new(nameof(RemoveCheckpointAsync_RemovesOnceAndOnlyThatOne), "RemoveCheckpointAsync removes one checkpoint once; the others stay.", RemoveCheckpointAsync_RemovesOnceAndOnlyThatOne),
        new(nameof(RemoveAsync_Tenant_RemovesItsCheckpoints), "Removing a tenant removes its checkpoints; a tenant reserved again under the id has none.", RemoveAsync_Tenant_RemovesItsCheckpoints),
        new(nameof(Checkpoints_ReadThroughAnotherInstance_AreIdentical), "Checkpoints recorded through one instance read identically through another.", Checkpoints_ReadThroughAnotherInstance_AreIdentical),
    ];

    private static TenantCheckpoint Checkpoint(string tenant, string id, DateTimeOffset at, Dictionary<string, string>? metadata = null) => new()
    {
        TenantId = TenantId.Parse(tenant),
        Id = id,
        Name = "before " + id,
        CreatedAt = at,
        BranchId = "br-" + id,
        Metadata = metadata ?? new Dictionary<string, string>(StringComparer.Ordinal),
    };

    private static async Task AddCheckpointAsync_Several_ListedOldestFirstWithEveryField(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);
        var now = run.Time.GetUtcNow();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.version"] = "2.4.1", ["revision"] = "9f1c2e0", ["note"] = "vor dem Import ✓ \"quoted\" | pipe" };

        await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-b", now.AddMinutes(2)), run.CancellationToken);
        var first = await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-a", now.AddTicks(7), metadata), run.CancellationToken);
        await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-c", now.AddMinutes(2)), run.CancellationToken);

        var listed = await catalog.GetCheckpointsAsync(TenantId.Parse("acme"), run.CancellationToken);
        Check.SequenceEqual(["snap-a", "snap-b", "snap-c"], listed.Select(c => c.Id), "ids, oldest first (then by id)");
        var at = now.AddTicks(7);
        var microseconds = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
        Check.Equal(Checkpoint("acme", "snap-a", microseconds, metadata), listed[0], "the first checkpoint as read (CreatedAt truncated to microseconds)");
        Check.Equal(listed[0], first, "what AddCheckpointAsync returned");
        Check.Equal(0, (await catalog.GetCheckpointsAsync(TenantId.Parse("other"), run.CancellationToken)).Count, "checkpoints of a tenant not in the catalog");
    }

    private static async Task AddCheckpointAsync_SameIdTwice_KeepsTheFirst(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);
        var first = await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-a", run.NowMicroseconds()), run.CancellationToken);

        var second = await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-a", run.NowMicroseconds().AddHours(1)) with { Name = "another name" }, run.CancellationToken);

        Check.Equal(first, second, "the second record of the same id");
        Check.Equal(1, (await catalog.GetCheckpointsAsync(TenantId.Parse("acme"), run.CancellationToken)).Count, "checkpoints stored");
    }

    private static async Task AddCheckpointAsync_UnknownTenant_ThrowsTenantNotFound(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();

        var error = await Check.ThrowsAsync<TenantNotFoundException>(
            () => catalog.AddCheckpointAsync(Checkpoint("ghost", "snap-a", run.NowMicroseconds()), run.CancellationToken), "AddCheckpointAsync of an unknown tenant");

        Check.Equal(TenantId.Parse("ghost"), error.TenantId, "TenantNotFoundException.TenantId");
    }

    private static async Task AddCheckpointAsync_BadCheckpoint_ThrowsArgumentException(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);
        var tooMuch = Enumerable.Range(0, 33).ToDictionary(i => "k" + i, i => "v", StringComparer.Ordinal);

        await Check.ThrowsAsync<ArgumentException>(
            () => catalog.AddCheckpointAsync(Checkpoint("acme", "snap-a", run.NowMicroseconds()) with { Name = " " }, run.CancellationToken), "a blank name");
        await Check.ThrowsAsync<ArgumentException>(
            () => catalog.AddCheckpointAsync(Checkpoint("acme", "snap-b", run.NowMicroseconds(), tooMuch), run.CancellationToken), "33 metadata entries");
        await Check.ThrowsAsync<ArgumentException>(
            () => catalog.AddCheckpointAsync(Checkpoint("acme", "", run.NowMicroseconds()), run.CancellationToken), "an empty id");

        Check.Equal(0, (await catalog.GetCheckpointsAsync(TenantId.Parse("acme"), run.CancellationToken)).Count, "checkpoints stored");
    }

    private static async Task RemoveCheckpointAsync_RemovesOnceAndOnlyThatOne(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);
        await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-a", run.NowMicroseconds()), run.CancellationToken);
        await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-b", run.NowMicroseconds()), run.CancellationToken);

        Check.True(await catalog.RemoveCheckpointAsync(TenantId.Parse("acme"), "snap-a", run.CancellationToken), "the first RemoveCheckpointAsync");
        Check.False(await catalog.RemoveCheckpointAsync(TenantId.Parse("acme"), "snap-a", run.CancellationToken), "the second RemoveCheckpointAsync");
        Check.False(await catalog.RemoveCheckpointAsync(TenantId.Parse("ghost"), "snap-b", run.CancellationToken), "RemoveCheckpointAsync of an unknown tenant");

        var left = await catalog.GetCheckpointsAsync(TenantId.Parse("acme"), run.CancellationToken);
        Check.SequenceEqual(["snap-b"], left.Select(c => c.Id), "the checkpoints left");
    }

    private static async Task RemoveAsync_Tenant_RemovesItsCheckpoints(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);
        await catalog.AddCheckpointAsync(Checkpoint("acme", "snap-a", run.NowMicroseconds()), run.CancellationToken);

        await catalog.RemoveAsync(TenantId.Parse("acme"), run.CancellationToken);
        await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken);

        Check.Equal(0, (await catalog.GetCheckpointsAsync(TenantId.Parse("acme"), run.CancellationToken)).Count, "checkpoints of the tenant reserved again");
    }

    private static async Task Checkpoints_ReadThroughAnotherInstance_AreIdentical(ContractRun run)
    {
        var writer = await run.CreateCatalogAsync();
        var reader = await run.CreateCatalogAsync();
        await writer.ReserveAsync(Reservation("acme"), run.CancellationToken);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["app.version"] = "3.0.0" };
        var written = await writer.AddCheckpointAsync(Checkpoint("acme", "snap-a", run.NowMicroseconds(), metadata), run.CancellationToken);

        var read = await reader.GetCheckpointsAsync(TenantId.Parse("acme"), run.CancellationToken);

        Check.SequenceEqual([written], read, "the checkpoints read through the other instance");
    }
}
