using Neon.Tenancy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>
/// No interleaving of provision, delete and recover, on any instance, loses a tenant id: every tenant ends in a state
/// from which <see cref="ITenantDatabaseProvider.ProvisionAsync"/> or <see cref="ITenantDatabaseProvider.RecoverAsync"/>
/// succeeds. The gap that used to wedge an id: a delete between provisioning's reservation and its lock.
/// </summary>
public sealed class TenantIdWedgeTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TenantProvisionRequest Free = new() { Plan = "free" };

    [Fact]
    public async Task DeleteAsync_ReservedTenantWithoutProject_DeletedWithNothingToRecover_ProvisionStartsAfresh()
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(50));
        await using var instances = TwoInstances.Create(fake, database.ConnectionString);
        var (provisioning, deleting) = instances;
        var tenant = TenantId.Parse("reserved-then-deleted");

        // Provisioning's first step (the reservation) has happened; its lock is not taken yet. Another instance deletes.
        await provisioning.Catalog.ReserveAsync(new TenantReservation { TenantId = tenant, Plan = "free" });
        var deletion = await deleting.Provider.DeleteAsync(tenant);

        Assert.Equal(TenantState.Deleted, deletion.Tenant.State);
        Assert.Null(deletion.Tenant.ProjectId);
        Assert.Null(deletion.RecoverableUntil);
        Assert.DoesNotContain(fake.RequestLog, r => r.Route == "GET projects"); // a reservation no create was sent for needs no search
        var refused = await Assert.ThrowsAsync<TenantStateException>(() => provisioning.Provider.RecoverAsync(tenant));
        Assert.Equal(TenantState.Deleted, refused.State);
        Assert.Equal("recover", refused.Operation);
        Assert.Contains("deleted before it had a project", refused.Message);
        Assert.Contains("ProvisionAsync provisions it afresh", refused.Message);

        // The interrupted provisioning carries on (the same call, repeated, as its caller would).
        var ready = await provisioning.Provider.ProvisionAsync(tenant, Free);
        Assert.Equal(TenantState.Ready, ready.State);
        Assert.NotNull(ready.ProjectId);
        Assert.Equal(ready, await deleting.Provider.GetAsync(tenant));
        Assert.Equal(ready.ProjectId, Assert.Single(await fake.GetProjectsAsync()).Id);
        Assert.Null((await deleting.Catalog.GetAsync(tenant))!.RecoverableUntil);
    }

    [Fact]
    public async Task ProvisionAsync_DeletedTenantWithProject_NamesRecoverAndItsDeadline()
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(50));
        await using var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), database.ConnectionString, PostgresDatabaseFixture.NewSchema());
        var tenant = TenantId.Parse("deleted-with-project");
        var provisioned = await rig.Provider.ProvisionAsync(tenant, Free);
        var deletion = await rig.Provider.DeleteAsync(tenant);

        var refused = await Assert.ThrowsAsync<TenantStateException>(() => rig.Provider.ProvisionAsync(tenant, Free));
        Assert.Equal("provisioning", refused.Operation);
        Assert.Contains($"its project {provisioned.ProjectId} is deleted; RecoverAsync brings it back until {deletion.RecoverableUntil!.Value:O}", refused.Message);
        Assert.Equal(provisioned.ProjectId, (await rig.Provider.RecoverAsync(tenant)).ProjectId);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ProvisionDeleteRecover_ConcurrentOnTwoInstances_EveryTenantEndsUsableWithOneProject(int seed)
    {
        await using var fake = ProvisioningRig.StartFake(TimeSpan.FromMilliseconds(30));
        await using var pair = TwoInstances.Create(fake, database.ConnectionString);
        var (first, second) = pair;
        var instances = new[] { first, second };
        var tenants = Enumerable.Range(0, 4).Select(i => TenantId.Parse($"storm-{seed}-{i}")).ToArray();
        var random = new Random(seed);
        var plan = Enumerable.Range(0, 60).Select(_ => (Instance: random.Next(2), Tenant: random.Next(tenants.Length), Call: random.Next(3), Delay: random.Next(40))).ToArray();

        var refusals = 0;
        var calls = plan.Select(step => Task.Run(async () =>
        {
            await Task.Delay(step.Delay);
            var provider = instances[step.Instance].Provider;
            var tenant = tenants[step.Tenant];
            try
            {
                _ = step.Call switch
                {
                    0 => await provider.ProvisionAsync(tenant, Free),
                    1 => (await provider.DeleteAsync(tenant)).Tenant,
                    _ => await provider.RecoverAsync(tenant),
                };
            }
            catch (TenantStateException)
            {
                // A legitimate refusal (recover of a tenant being provisioned, provisioning of a recoverable one).
                Interlocked.Increment(ref refusals);
            }
            catch (TenantNotFoundException) when (step.Call != 0)
            {
                // Delete or recover before any provisioning reserved the tenant.
                Interlocked.Increment(ref refusals);
            }
        }));
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromMinutes(2));

        // Every tenant id is still usable: the call its state names succeeds.
        foreach (var tenant in tenants)
        {
            var record = await first.Catalog.GetAsync(tenant);
            var ready = record is { State: TenantState.Deleted, ProjectId: not null }
                ? await second.Provider.RecoverAsync(tenant)
                : await second.Provider.ProvisionAsync(tenant, Free);
            Assert.Equal(TenantState.Ready, ready.State);
            Assert.Equal(ready, await first.Provider.GetAsync(tenant)); // both instances agree
            Assert.Null(ready.FailureReason);
        }

        var live = await fake.GetProjectsAsync();
        var projects = new List<string>();
        foreach (var tenant in tenants)
        {
            projects.Add((await first.Provider.GetAsync(tenant))!.ProjectId!);
        }

        output.WriteLine($"seed {seed}: {plan.Length} calls, {refusals} refused; {fake.CallsPerRoute.GetValueOrDefault("POST projects")} creates, "
            + $"{fake.CallsPerRoute.GetValueOrDefault("DELETE projects/{project_id}")} deletes, {fake.CallsPerRoute.GetValueOrDefault("POST projects/{project_id}/recover")} recovers");
        Assert.Equal(projects.Order(), live.Select(p => p.Id).Order()); // exactly one live project per tenant, and no other
        Assert.Empty(await first.Provider.SweepOrphansAsync());
        Assert.DoesNotContain(fake.RequestLog, r => r.StatusCode == 423);
    }
}
