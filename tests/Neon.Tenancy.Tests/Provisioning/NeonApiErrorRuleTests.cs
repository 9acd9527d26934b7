using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>
/// The documented rule (ITenantDatabaseProvider, IPlanLimits): a Neon API failure escapes from every tenant operation
/// as the <see cref="NeonApiException"/> the API client threw, unwrapped; one test per operation family.
/// </summary>
public sealed class NeonApiErrorRuleTests : ProvisioningTestBase
{
    private const string Refused = "REFUSED_BY_TEST";
    private static readonly TenantProvisionRequest Request = new() { Plan = "free" };

    private IPlanLimits Plans => Rig.Services.GetRequiredService<IPlanLimits>();

    private async Task<NeonApiException> FailsWithNeonAsync(string route, Func<Task> call)
    {
        Fake.Faults.Inject(route, NeonFault.Status(422, Refused, "refused by the test"), times: 1);
        var error = await Assert.ThrowsAnyAsync<NeonApiException>(call);
        Assert.Equal(Refused, error.ErrorCode);
        return error;
    }

    [Fact]
    public async Task ProvisionAsync_NeonRefusesTheCreate_NeonApiExceptionNotWrapped()
    {
        var id = TenantId.Parse("p1");

        await FailsWithNeonAsync("POST projects", () => Rig.Provider.ProvisionAsync(id, Request));

        Assert.StartsWith("CreateProject: Neon answered 422 " + Refused, (await Rig.Catalog.GetAsync(id))!.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LifecycleCalls_NeonRefuses_NeonApiExceptionNotWrappedAndReasonRecorded()
    {
        var id = TenantId.Parse("l1");
        await Rig.Provider.ProvisionAsync(id, Request);

        await FailsWithNeonAsync("POST projects/{project_id}/branches/{branch_id}/restore",
            () => Rig.Provider.RestoreAsync(id, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1) }));
        await FailsWithNeonAsync("POST projects/{project_id}/branches/{branch_id}/roles/{role_name}/reset_password",
            () => Rig.Provider.RotateCredentialsAsync(id));
        await FailsWithNeonAsync("DELETE projects/{project_id}", () => Rig.Provider.DeleteAsync(id));
        Assert.StartsWith("delete: Neon answered 422 " + Refused, (await Rig.Catalog.GetAsync(id))!.FailureReason, StringComparison.Ordinal);

        await Rig.Provider.DeleteAsync(id);
        await FailsWithNeonAsync("POST projects/{project_id}/recover", () => Rig.Provider.RecoverAsync(id));
    }

    [Fact]
    public async Task SweepOrphansAsync_NeonRefusesTheList_NeonApiExceptionNotWrapped() =>
        await FailsWithNeonAsync("GET projects", () => Rig.Provider.SweepOrphansAsync());

    [Fact]
    public async Task PlanLimits_NeonRefuses_NeonApiExceptionNotWrapped()
    {
        var id = TenantId.Parse("pl1");
        await Rig.Provider.ProvisionAsync(id, Request);

        await FailsWithNeonAsync("PATCH projects/{project_id}", () => Plans.ChangePlanAsync(id, "pro"));
        await FailsWithNeonAsync("PATCH projects/{project_id}", () => Plans.SuspendAsync(id));
        await Plans.SuspendAsync(id);
        await FailsWithNeonAsync("PATCH projects/{project_id}", () => Plans.ResumeAsync(id));
        await FailsWithNeonAsync("GET projects/{project_id}", () => Plans.CheckDriftAsync(id));
    }
}
