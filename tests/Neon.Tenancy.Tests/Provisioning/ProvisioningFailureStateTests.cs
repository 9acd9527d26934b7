using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>What the catalog says after a failed provisioning (the reason, without secrets) and after delete/recover (the deadline).</summary>
public sealed class ProvisioningFailureStateTests : ProvisioningTestBase
{
    private const string CreateRoute = "POST projects";
    private static readonly TenantProvisionRequest Request = new() { Plan = "free" };

    [Fact]
    public async Task ProvisionAsync_CatalogUnreachableAtTheStart_TenantProvisioningExceptionAtStepCatalog()
    {
        // Nothing listens on port 1: the very first catalog call (the reservation) fails.
        await using var rig = ProvisioningRig.Create(Fake, Key, "Host=127.0.0.1;Port=1;Username=catalog;Password=catalog-secret-pw;Timeout=2");

        var failure = await Assert.ThrowsAsync<TenantProvisioningException>(() => rig.Provider.ProvisionAsync(TenantId.Parse("no-catalog"), Request));

        Assert.Equal(TenantProvisioningStep.Catalog, failure.Step);
        Assert.Equal(TenantId.Parse("no-catalog"), failure.TenantId);
        Assert.IsAssignableFrom<NpgsqlException>(failure.InnerException);
        Assert.DoesNotContain("catalog-secret-pw", failure.ToString(), StringComparison.Ordinal);
        Assert.Empty(Fake.RequestLog); // nothing was sent to Neon
    }

    [Fact]
    public async Task ProvisionAsync_CreateAnswers500_FailureReasonNamesStepStatusAndRequestIdAndIsClearedWhenReady()
    {
        var id = TenantId.Parse("err500");
        Fake.Faults.Inject(CreateRoute, NeonFault.InternalServerError(), times: 1);

        // A Neon API failure escapes as itself (the rule of every tenant operation); the step is on the tenant.
        var error = await Assert.ThrowsAsync<Api.NeonApiException>(() => Rig.Provider.ProvisionAsync(id, Request));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);

        var failed = (await Rig.Catalog.GetAsync(id))!;
        Assert.Equal(TenantState.Failed, failed.State);
        Assert.StartsWith("CreateProject: Neon answered 500", failed.FailureReason, StringComparison.Ordinal);
        var requestId = Fake.RequestLog.Last(r => r.Route == CreateRoute).RequestId;
        Assert.Contains("(request id " + requestId + ")", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal(failed.FailureReason, (await Rig.Provider.GetAsync(id))!.FailureReason);

        var ready = await Rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(TenantState.Ready, ready.State);
        Assert.Null(ready.FailureReason);
        Assert.Null((await Rig.Catalog.GetAsync(id))!.FailureReason);
    }

    [Fact]
    public async Task ProvisionAsync_OperationFails_FailureReasonNamesWaitStep()
    {
        var id = TenantId.Parse("opfail");
        Fake.Faults.Inject(CreateRoute, NeonFault.FailOperation(), times: 1);

        await Assert.ThrowsAsync<Api.NeonOperationFailedException>(() => Rig.Provider.ProvisionAsync(id, Request));

        var failed = (await Rig.Catalog.GetAsync(id))!;
        // Both of the create's operations fail; which one the wait sees first depends on when each was polled.
        Assert.Matches("^WaitForOperations: Neon operation (create_timeline|start_compute) ended failed$", failed.FailureReason);
        AssertNoSecret(failed.FailureReason!, Rig.Secret(failed, ConnectionSecretKind.Direct));
    }

    [Fact]
    public async Task ProvisionAsync_InitializerThrowsQuotingTheConnectionString_ReasonHasTypeOnlyAndNoSecret()
    {
        var initializer = new LeakyInitializer();
        await using var rig = ProvisioningRig.Create(Fake, Key, configure: s => s.AddSingleton<ITenantDatabaseInitializer>(initializer));
        var id = TenantId.Parse("leaky");

        var failure = await Assert.ThrowsAsync<TenantProvisioningException>(() => rig.Provider.ProvisionAsync(id, Request));

        var failed = (await rig.Catalog.GetAsync(id))!;
        Assert.Equal(TenantProvisioningStep.Initialize, failure.Step);
        Assert.Equal("Initialize: InvalidOperationException", failed.FailureReason);
        var direct = rig.Secret(failed, ConnectionSecretKind.Direct);
        Assert.Contains(direct, initializer.Thrown!.Message, StringComparison.Ordinal); // the cause did quote it
        AssertNoSecret(failed.FailureReason!, direct);
        AssertNoSecret(failed.ToString(), direct);
    }

    [Fact]
    public async Task ProvisionAsync_FailedTenantResumedAndFailsAgainAtAnotherStep_ReasonIsTheLatest()
    {
        var initializer = new LeakyInitializer();
        await using var rig = ProvisioningRig.Create(Fake, Key, configure: s => s.AddSingleton<ITenantDatabaseInitializer>(initializer));
        var id = TenantId.Parse("twice");
        Fake.Faults.Inject(CreateRoute, NeonFault.FailOperation(), times: 1);
        await Assert.ThrowsAsync<Api.NeonOperationFailedException>(() => rig.Provider.ProvisionAsync(id, Request));
        Assert.StartsWith("WaitForOperations:", (await rig.Catalog.GetAsync(id))!.FailureReason, StringComparison.Ordinal);

        await Assert.ThrowsAsync<TenantProvisioningException>(() => rig.Provider.ProvisionAsync(id, Request));

        Assert.Equal("Initialize: InvalidOperationException", (await rig.Catalog.GetAsync(id))!.FailureReason);
    }

    [Fact]
    public void Describe_PostgresError_GivesSqlStateNotTheMessage()
    {
        var error = new PostgresException("password=hunter2 leaked", "ERROR", "ERROR", "42501");

        var reason = TenantFailureReasons.Describe(nameof(TenantProvisioningStep.GrantApplicationRole), error);

        Assert.Equal("GrantApplicationRole: PostgreSQL error 42501", reason);
    }

    [Fact]
    public async Task DeleteAsync_RecordsRecoverableUntil_RecoverClearsIt()
    {
        var id = TenantId.Parse("gone");
        await Rig.Provider.ProvisionAsync(id, Request);
        var before = DateTimeOffset.UtcNow;

        var deletion = await Rig.Provider.DeleteAsync(id);

        var deleted = (await Rig.Catalog.GetAsync(id))!;
        Assert.Equal(TenantState.Deleted, deleted.State);
        Assert.NotNull(deleted.RecoverableUntil);
        Assert.Equal(deletion.RecoverableUntil!.Value.Ticks / 10, deleted.RecoverableUntil!.Value.Ticks / 10);
        Assert.InRange(deleted.RecoverableUntil.Value, before.AddDays(7).AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(7).AddMinutes(1));
        Assert.Equal(deleted.RecoverableUntil, deletion.Tenant.RecoverableUntil);
        Assert.Equal(deleted.RecoverableUntil, (await Rig.Provider.DeleteAsync(id)).RecoverableUntil); // the second delete reports the stored deadline

        var recovered = await Rig.Provider.RecoverAsync(id);

        Assert.Null(recovered.RecoverableUntil);
        Assert.Null((await Rig.Catalog.GetAsync(id))!.RecoverableUntil);
    }

    private static void AssertNoSecret(string text, string connectionString)
    {
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(connectionString, text, StringComparison.Ordinal);
    }

    private sealed class LeakyInitializer : ITenantDatabaseInitializer
    {
        public Exception? Thrown { get; private set; }

        public Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken)
        {
            Thrown = new InvalidOperationException("could not migrate " + context.DirectConnectionString);
            throw Thrown;
        }
    }
}
