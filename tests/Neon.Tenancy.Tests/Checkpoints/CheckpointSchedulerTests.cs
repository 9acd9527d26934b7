using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Checkpoints;

/// <summary>
/// Scheduled checkpoints against the PostgreSQL-backed fake Neon. The scheduler and the checkpoints it takes share a
/// <see cref="FakeTimeProvider"/> (when a checkpoint is due, and when it was taken); the API client's own waits keep the
/// real clock, so the fake's operations finish as they do everywhere else.
/// </summary>
public sealed class CheckpointSchedulerTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TenantProvisionRequest Hourly = new() { Plan = "hourly" }, Free = new() { Plan = "free" };

    private static void Plans(IServiceCollection services) => services.Configure<TenantPlanOptions>(o =>
    {
        o.DefaultPlan = "free";
        o.Plans["free"] = new TenantPlan();
        o.Plans["hourly"] = new TenantPlan { CheckpointInterval = TimeSpan.FromHours(1) };
    });

    private static NeonFakeServer StartFake() => NeonFakeServer.Start(new NeonFakeServerOptions
    {
        OperationDuration = TimeSpan.FromMilliseconds(20),
        PostgresConnectionString = TestPostgres.AdminConnectionString,
        ManualSnapshotLimit = 100,
    });

    /// <summary>The instance's scheduler, as AddNeonTenancy builds it, with <paramref name="clock"/> for it and its checkpoints.</summary>
    private static CheckpointScheduler Scheduler(ProvisioningRig rig, TimeProvider clock)
    {
        var services = rig.Services;
        var checkpoints = new TenantCheckpoints(services.GetRequiredService<TenantMutator>(), services.GetRequiredService<TenantRestorer>(),
            clock, services.GetRequiredService<ILogger<TenantCheckpoints>>(), services.GetRequiredService<PlanBook>());
        return new CheckpointScheduler(rig.Catalog, checkpoints, services.GetRequiredService<IInstanceLease>(), services.GetRequiredService<PlanBook>(),
            Options.Create(new TenantCheckpointOptions { SchedulerPeriod = Period }), clock, services.GetRequiredService<ILogger<CheckpointScheduler>>(),
            services.GetRequiredService<NeonBackupSchedules>());
    }

    private static async Task<CheckpointSchedulerTick> AdvanceAsync(CheckpointScheduler scheduler, FakeTimeProvider clock, TimeSpan by)
    {
        var tick = scheduler.NextTick;
        clock.Advance(by);
        return await tick.WaitAsync(Timeout);
    }

    private static TenantId NewTenant(string prefix) => TenantId.Parse(prefix + "-" + Guid.NewGuid().ToString("N")[..8]);

    private static async Task<int> SnapshotsInNeonAsync(ProvisioningRig rig, TenantId tenant) =>
        (await rig.Api.Snapshots.ListSnapshotsAsync((await rig.Catalog.GetAsync(tenant))!.ProjectId!)).Snapshots.Count;

    [Fact]
    public async Task Scheduler_HourlyPlan_CheckpointsADueTenantOnTime_NotAPlanWithoutInterval_NotAgainBeforeTheHour_AgainAfter()
    {
        await using var fake = StartFake();
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema(), Plans);
        var (due, other) = (NewTenant("due"), NewTenant("other"));
        await rig.Provider.ProvisionAsync(due, Hourly);
        await rig.Provider.ProvisionAsync(other, Free);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 19, 55, 0, TimeSpan.Zero));
        var scheduler = Scheduler(rig, clock);
        await scheduler.StartAsync(CancellationToken.None);

        var first = await AdvanceAsync(scheduler, clock, Period); // 20:00

        Assert.Equal(new CheckpointSchedulerTick(Ran: true, Read: 2, Due: 1, Created: 1, Failed: 0), first);
        var taken = Assert.Single(await rig.Catalog.GetCheckpointsAsync(due));
        Assert.Equal("scheduled 2026-12-07T20:00Z", taken.Name);
        Assert.Equal("01:00:00", taken.Metadata["neon.tenancy.schedule"]);
        Assert.Equal(clock.GetUtcNow(), taken.CreatedAt);
        Assert.Equal(1, await SnapshotsInNeonAsync(rig, due));
        Assert.Empty(await rig.Catalog.GetCheckpointsAsync(other));

        for (var minutes = 5; minutes < 60; minutes += 5) // 20:05 to 20:55: the newest checkpoint is younger than an hour
        {
            Assert.Equal(0, (await AdvanceAsync(scheduler, clock, Period)).Due);
        }

        Assert.Single(await rig.Catalog.GetCheckpointsAsync(due));

        var hourLater = await AdvanceAsync(scheduler, clock, Period); // 21:00

        Assert.Equal(1, hourLater.Created);
        Assert.Equal(["scheduled 2026-12-07T20:00Z", "scheduled 2026-12-07T21:00Z"], (await rig.Catalog.GetCheckpointsAsync(due)).Select(c => c.Name));
        Assert.Equal(2, await SnapshotsInNeonAsync(rig, due));
        Assert.Empty(await rig.Catalog.GetCheckpointsAsync(other));
        Assert.Equal(0, await SnapshotsInNeonAsync(rig, other));

        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Timeout); // stops while it waits for the next tick
        Assert.True(scheduler.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task Scheduler_TwoInstancesTickingAtOnce_EachDueCheckpointIsTakenOnce()
    {
        await using var fake = StartFake();
        await using var instances = TwoInstances.Create(fake, database.ConnectionString, Plans);
        var (first, second) = instances;
        var tenants = new[] { NewTenant("a"), NewTenant("b"), NewTenant("c") };
        foreach (var tenant in tenants)
        {
            await first.Provider.ProvisionAsync(tenant, Hourly);
        }

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 19, 55, 0, TimeSpan.Zero));
        var schedulers = new[] { Scheduler(first, clock), Scheduler(second, clock) };
        foreach (var scheduler in schedulers)
        {
            await scheduler.StartAsync(CancellationToken.None);
        }

        var ticks = new List<CheckpointSchedulerTick>();
        for (var round = 0; round < 13; round++) // 20:00 to 21:00: due at 20:00 and again at 21:00
        {
            var next = schedulers.Select(s => s.NextTick).ToArray();
            clock.Advance(Period); // both instances wake at the same moment
            ticks.AddRange(await Task.WhenAll(next).WaitAsync(Timeout));
        }

        Assert.Equal(6, ticks.Sum(t => t.Created));
        Assert.All(ticks, t => Assert.Equal(0, t.Failed));
        foreach (var tenant in tenants)
        {
            Assert.Equal(["scheduled 2026-12-07T20:00Z", "scheduled 2026-12-07T21:00Z"], (await second.Catalog.GetCheckpointsAsync(tenant)).Select(c => c.Name));
            Assert.Equal(2, await SnapshotsInNeonAsync(first, tenant));
        }

        foreach (var scheduler in schedulers)
        {
            await scheduler.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task TickAsync_LeaseHeldByAnotherInstance_SkipsTheTick_TakesNothing()
    {
        await using var fake = StartFake();
        await using var instances = TwoInstances.Create(fake, database.ConnectionString, Plans);
        var (first, second) = instances;
        var tenant = NewTenant("held");
        await first.Provider.ProvisionAsync(tenant, Hourly);
        await using var held = await second.Services.GetRequiredService<IInstanceLease>().TryAcquireAsync(CheckpointScheduler.LeaseName, CancellationToken.None);
        Assert.NotNull(held);

        var tick = await Scheduler(first, TimeProvider.System).TickAsync(CancellationToken.None);

        Assert.Equal(CheckpointSchedulerTick.NotRun, tick);
        Assert.Empty(await first.Catalog.GetCheckpointsAsync(tenant));
        Assert.Contains(first.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.CheckpointSchedulerLeaseHeldElsewhere);
    }

    [Fact]
    public async Task TickAsync_OneTenantFails_ItIsLogged_TheOthersGetTheirCheckpoints()
    {
        await using var fake = StartFake();
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema(), Plans);
        var (broken, fine) = (TenantId.Parse("a-broken-" + Guid.NewGuid().ToString("N")[..8]), TenantId.Parse("z-fine-" + Guid.NewGuid().ToString("N")[..8]));
        var brokenRecord = await rig.Provider.ProvisionAsync(broken, Hourly);
        await rig.Provider.ProvisionAsync(fine, Hourly);
        await rig.Api.Projects.DeleteProjectAsync(brokenRecord.ProjectId!); // behind the SDK's back: Neon no longer has it

        var tick = await Scheduler(rig, TimeProvider.System).TickAsync(CancellationToken.None);

        Assert.Equal(new CheckpointSchedulerTick(Ran: true, Read: 2, Due: 2, Created: 1, Failed: 1), tick);
        Assert.Single(await rig.Catalog.GetCheckpointsAsync(fine));
        Assert.Empty(await rig.Catalog.GetCheckpointsAsync(broken));
        var failure = Assert.Single(rig.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.ScheduledCheckpointFailed);
        Assert.Contains(broken.Value, failure.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, failure.Level);
    }

    [Fact]
    public async Task Scheduler_NoPlanHasAnInterval_DoesNothing_AndAddNeonTenancyRegistersIt()
    {
        await using var fake = StartFake();
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey());

        Assert.Single(rig.Services.GetServices<IHostedService>().OfType<CheckpointScheduler>());
        var scheduler = Scheduler(rig, new FakeTimeProvider());
        await scheduler.StartAsync(CancellationToken.None);

        await scheduler.ExecuteTask!.WaitAsync(Timeout); // returns at once: nothing to schedule, and no clock was moved
        Assert.DoesNotContain(rig.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.CheckpointSchedulerStarted);
    }

    [Fact]
    public async Task TickAsync_NeonBackupSchedule_SetsTheBranchSchedule_RecordsNeonsSnapshots_ForgetsExpiredOnes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 11, 50, 0, TimeSpan.Zero));
        await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions { OperationDuration = TimeSpan.Zero, TimeProvider = clock });
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), configure: services => services.Configure<TenantPlanOptions>(o =>
        {
            o.DefaultPlan = "neon";
            o.Plans["neon"] = new TenantPlan { CheckpointInterval = TimeSpan.FromHours(1), CheckpointRetention = TimeSpan.FromHours(2), UseNeonBackupSchedule = true };
        }));
        var tenant = NewTenant("neon");
        var record = await rig.Provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "neon" });
        var scheduler = Scheduler(rig, clock);

        var first = await scheduler.TickAsync(CancellationToken.None); // 11:50: the schedule is set, Neon has taken nothing yet

        var item = Assert.Single((await rig.Api.Snapshots.GetSnapshotScheduleAsync(record.ProjectId!, record.BranchId!)).Schedule);
        Assert.Equal(("hourly", 7200L), (item.Frequency, item.RetentionSeconds));
        Assert.Equal((1, 0), (first.Due, first.Created));
        Assert.Empty(await rig.Catalog.GetCheckpointsAsync(tenant));

        clock.Advance(TimeSpan.FromMinutes(15)); // 12:05: Neon took the 12:00 one
        var second = await scheduler.TickAsync(CancellationToken.None);

        var recorded = Assert.Single(await rig.Catalog.GetCheckpointsAsync(tenant));
        Assert.Equal(1, second.Created);
        Assert.Equal("neon hourly", recorded.Metadata["neon.tenancy.schedule"]);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero), recorded.CreatedAt);
        Assert.Equal(record.BranchId, recorded.BranchId);
        Assert.Equal(0, (await scheduler.TickAsync(CancellationToken.None)).Created); // nothing new: not recorded twice

        clock.Advance(TimeSpan.FromHours(3)); // 15:05: the 12:00 one expired at 14:00; Neon took the 15:00 one
        await scheduler.TickAsync(CancellationToken.None);

        var now = Assert.Single(await rig.Catalog.GetCheckpointsAsync(tenant));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero), now.CreatedAt);
        Assert.Contains(rig.Logs.GetSnapshot(), l => l.Id.Id == NeonTenancyEventId.NeonBackupScheduleSynced);
    }
}
