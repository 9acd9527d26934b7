// The cases are test bodies: like any test they continue on the test framework's context.
#pragma warning disable CA2007
using static Neon.Tenancy.Testing.Contract.ContractRun;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>Contract cases for UpdateAsync: every field stored, fields cleared, optimistic concurrency, unknown tenants.</summary>
internal static class UpdateCases
{
    public static readonly TenantCatalogContractCase[] All =
    [
        new(nameof(UpdateAsync_CurrentVersion_StoresEveryFieldAndIncrementsVersion), "UpdateAsync of the current version stores every field, keeps CreatedAt, stamps UpdatedAt and increments the version.", UpdateAsync_CurrentVersion_StoresEveryFieldAndIncrementsVersion),
        new(nameof(UpdateAsync_OptionalFieldsCleared_ReadBackAsNullOrEmpty), "Optional fields set back to null or empty read back as null or empty.", UpdateAsync_OptionalFieldsCleared_ReadBackAsNullOrEmpty),
        new(nameof(UpdateAsync_StaleVersion_ThrowsConcurrencyExceptionAndKeepsTheWinner), "UpdateAsync of a stale version throws TenantConcurrencyException and keeps the winner.", UpdateAsync_StaleVersion_ThrowsConcurrencyExceptionAndKeepsTheWinner),
        new(nameof(UpdateAsync_20ConcurrentUpdatesOfOneVersion_ExactlyOneWins), "20 concurrent updates of one version through two instances: exactly one wins.", UpdateAsync_20ConcurrentUpdatesOfOneVersion_ExactlyOneWins),
        new(nameof(UpdateAsync_UnknownTenant_ThrowsNotFound), "UpdateAsync of an unknown tenant throws TenantNotFoundException.", UpdateAsync_UnknownTenant_ThrowsNotFound),
    ];

    private static async Task UpdateAsync_CurrentVersion_StoresEveryFieldAndIncrementsVersion(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var reserved = (await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken)).Record;
        run.Time.Advance(TimeSpan.FromSeconds(90));
        byte[] pooled = [1, 2, 3, 4, 5];
        byte[] direct = [9, 8, 7];
        byte[] appPooled = [11, 12];
        byte[] appDirect = [13, 14, 15];
        var recoverableUntil = new DateTimeOffset(2025, 3, 11, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var restore = new TenantPendingRestore
        {
            Kind = TenantRestoreKind.Checkpoint,
            Stage = TenantRestoreStage.Previewing,
            Preview = true,
            CheckpointId = "snap-1",
            Timestamp = new DateTimeOffset(2025, 3, 4, 1, 2, 3, TimeSpan.Zero),
            Lsn = "0/16B3748",
            BranchName = "preview-snap-1",
            PreviousBranchId = "br-a",
            BranchId = "br-preview",
            EndpointId = "ep-preview",
            PooledConnectionSecret = new byte[] { 21, 22 },
            DirectConnectionSecret = new byte[] { 23 },
            StartedAt = run.NowMicroseconds(),
        };

        var updated = await catalog.UpdateAsync(reserved with
        {
            State = TenantState.Ready,
            Plan = "pro",
            ProjectId = "quiet-sun-123456",
            BranchId = "br-a",
            EndpointId = "ep-b",
            DatabaseName = "app",
            RoleName = "app_owner",
            SchemaVersion = 7,
            PooledConnectionSecret = pooled,
            DirectConnectionSecret = direct,
            ApplicationRoleName = "app",
            ApplicationPooledConnectionSecret = appPooled,
            ApplicationDirectConnectionSecret = appDirect,
            FailureReason = "CreateProject: Neon answered 500 (request id r-1)",
            RecoverableUntil = recoverableUntil,
            PendingRestore = restore,
            CreatedAt = DateTimeOffset.UnixEpoch,
            UpdatedAt = DateTimeOffset.UnixEpoch,
        }, run.CancellationToken);

        Check.Equal(2L, updated.Version, "Version");
        Check.Equal(reserved.CreatedAt, updated.CreatedAt, "CreatedAt (kept from the reservation)");
        Check.Equal(run.NowMicroseconds(), updated.UpdatedAt, "UpdatedAt (the clock's time, truncated to microseconds)");
        Check.Equal(TenantState.Ready, updated.State, "State");
        Check.Equal("pro", updated.Plan, "Plan");
        Check.Equal("quiet-sun-123456", updated.ProjectId, "ProjectId");
        Check.Equal("br-a", updated.BranchId, "BranchId");
        Check.Equal("ep-b", updated.EndpointId, "EndpointId");
        Check.Equal("app", updated.DatabaseName, "DatabaseName");
        Check.Equal("app_owner", updated.RoleName, "RoleName");
        Check.Equal(7, updated.SchemaVersion, "SchemaVersion");
        Check.Bytes(pooled, updated.PooledConnectionSecret, "PooledConnectionSecret");
        Check.Bytes(direct, updated.DirectConnectionSecret, "DirectConnectionSecret");
        Check.Equal("app", updated.ApplicationRoleName, "ApplicationRoleName");
        Check.Bytes(appPooled, updated.ApplicationPooledConnectionSecret, "ApplicationPooledConnectionSecret");
        Check.Bytes(appDirect, updated.ApplicationDirectConnectionSecret, "ApplicationDirectConnectionSecret");
        Check.Equal("CreateProject: Neon answered 500 (request id r-1)", updated.FailureReason, "FailureReason");
        Check.Equal<DateTimeOffset?>(new DateTimeOffset(2025, 3, 11, 3, 6, 7, TimeSpan.Zero).AddTicks(1_234_560), updated.RecoverableUntil, "RecoverableUntil (UTC, microseconds)");
        Check.Equal(restore, updated.PendingRestore, "PendingRestore");
        Check.Equal(updated, await catalog.GetAsync(updated.TenantId, run.CancellationToken), "GetAsync after UpdateAsync");
    }

    private static async Task UpdateAsync_OptionalFieldsCleared_ReadBackAsNullOrEmpty(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var reserved = (await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken)).Record;
        var set = await catalog.UpdateAsync(reserved with
        {
            State = TenantState.Failed,
            ApplicationRoleName = "app",
            ApplicationPooledConnectionSecret = new byte[] { 1 },
            ApplicationDirectConnectionSecret = new byte[] { 2 },
            FailureReason = "Initialize: InvalidOperationException",
            RecoverableUntil = run.NowMicroseconds().AddDays(7),
            PendingRestore = new TenantPendingRestore
            {
                Kind = TenantRestoreKind.PointInTime, Stage = TenantRestoreStage.Requested, PreviousBranchId = "br-a", StartedAt = run.NowMicroseconds(),
            },
        }, run.CancellationToken);

        var cleared = await catalog.UpdateAsync(set with
        {
            State = TenantState.Ready,
            ApplicationRoleName = null,
            ApplicationPooledConnectionSecret = ReadOnlyMemory<byte>.Empty,
            ApplicationDirectConnectionSecret = ReadOnlyMemory<byte>.Empty,
            FailureReason = null,
            RecoverableUntil = null,
            PendingRestore = null,
        }, run.CancellationToken);

        var read = Check.NotNull(await (await run.CreateCatalogAsync()).GetAsync(cleared.TenantId, run.CancellationToken), "GetAsync through a new instance");
        Check.Null(read.ApplicationRoleName, "ApplicationRoleName");
        Check.True(read.ApplicationPooledConnectionSecret.IsEmpty, "ApplicationPooledConnectionSecret.IsEmpty");
        Check.True(read.ApplicationDirectConnectionSecret.IsEmpty, "ApplicationDirectConnectionSecret.IsEmpty");
        Check.Null(read.FailureReason, "FailureReason");
        Check.Null(read.RecoverableUntil, "RecoverableUntil");
        Check.Null(read.PendingRestore, "PendingRestore");
        Check.Equal(cleared, read, "the record read back");
        Check.NotEqual(set, read, "the record read back (the one before clearing)");
    }

    private static async Task UpdateAsync_StaleVersion_ThrowsConcurrencyExceptionAndKeepsTheWinner(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var read = (await catalog.ReserveAsync(Reservation("acme"), run.CancellationToken)).Record;
        var winner = await catalog.UpdateAsync(read with { State = TenantState.Ready }, run.CancellationToken);

        var ex = await Check.ThrowsAsync<TenantConcurrencyException>(
            () => catalog.UpdateAsync(read with { State = TenantState.Failed }, run.CancellationToken), "UpdateAsync of version 1 after version 2 was written");

        Check.Equal(read.TenantId, ex.TenantId, "TenantConcurrencyException.TenantId");
        Check.Equal(1L, ex.ExpectedVersion, "TenantConcurrencyException.ExpectedVersion");
        Check.Equal(2L, ex.ActualVersion, "TenantConcurrencyException.ActualVersion");
        Check.True(ex.Message.Contains("acme", StringComparison.Ordinal), "TenantConcurrencyException.Message names the tenant");
        Check.Equal(winner, await catalog.GetAsync(read.TenantId, run.CancellationToken), "the stored record (the winner)");
    }

    private static async Task UpdateAsync_20ConcurrentUpdatesOfOneVersion_ExactlyOneWins(ContractRun run)
    {
        var catalogs = new[] { await run.CreateCatalogAsync(), await run.CreateCatalogAsync() };
        var read = (await catalogs[0].ReserveAsync(Reservation("acme"), run.CancellationToken)).Record;

        var outcomes = await run.Bounded(Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await catalogs[i % 2].UpdateAsync(read with { SchemaVersion = i + 1 }, run.CancellationToken);
                return true;
            }
            catch (TenantConcurrencyException)
            {
                return false;
            }
        }))));

        Check.Equal(1, outcomes.Count(won => won), "number of updates that won");
        var stored = Check.NotNull(await catalogs[1].GetAsync(read.TenantId, run.CancellationToken), "the stored record");
        Check.Equal(2L, stored.Version, "Version of the stored record");
        Check.True(stored.SchemaVersion is >= 1 and <= 20 && outcomes[stored.SchemaVersion - 1], "the stored record is the winner's");
    }

    private static async Task UpdateAsync_UnknownTenant_ThrowsNotFound(ContractRun run)
    {
        var catalog = await run.CreateCatalogAsync();
        var ghost = new TenantRecord { TenantId = TenantId.Parse("ghost"), State = TenantState.Ready, Plan = "free", Version = 1 };

        var ex = await Check.ThrowsAsync<TenantNotFoundException>(() => catalog.UpdateAsync(ghost, run.CancellationToken), "UpdateAsync of an unknown tenant");

        Check.Equal(ghost.TenantId, ex.TenantId, "TenantNotFoundException.TenantId");
    }
}
