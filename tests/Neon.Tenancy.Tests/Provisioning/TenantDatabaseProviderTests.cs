using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Neon.Tenancy.Tests.Provisioning;

public sealed class TenantDatabaseProviderTests(ITestOutputHelper output) : ProvisioningTestBase
{
    private const string CreateRoute = "POST projects";
    private const string PollRoute = "GET projects/{project_id}/operations/{operation_id}";
    private static readonly TenantProvisionRequest Request = new() { Plan = "free" };

    [Fact]
    public async Task ProvisionAsync_NewTenant_OneCreatePlusPollsThenReadyWithWorkingSecrets()
    {
        var id = TenantId.Parse("acme");

        var tenant = await Rig.Provider.ProvisionAsync(id, Request with
        {
            Region = "aws-eu-central-1",
            Settings = new TenantPlanSettings { AutoscalingMinCu = 0.25, AutoscalingMaxCu = 1, SuspendTimeout = TimeSpan.FromMinutes(5), ComputeTimeSecondsQuota = 3600, HistoryRetention = TimeSpan.FromDays(1) },
        });

        Assert.Equal(TenantState.Ready, tenant.State);
        Assert.Equal("tenant-acme", tenant.ProjectName);
        Assert.Equal("aws-eu-central-1", tenant.Region);
        var calls = Fake.CallsPerRoute;
        output.WriteLine($"calls: {string.Join(", ", calls.Select(c => $"{c.Key} x{c.Value}"))}");
        Assert.Equal(1, calls[CreateRoute]);
        Assert.True(calls[PollRoute] >= 1);
        Assert.Equal([PollRoute, CreateRoute], calls.Keys.Order(StringComparer.Ordinal)); // nothing else: no search, no extra reads

        var project = Assert.Single(await Fake.GetProjectsAsync());
        Assert.Equal(tenant.ProjectId, project.Id);
        Assert.Equal("tenant-acme", project.Name);
        Assert.Equal(3600, project.Settings?.Quota?.ComputeTimeSeconds);
        Assert.Equal(86400, project.HistoryRetentionSeconds);

        var record = (await Rig.Catalog.GetAsync(id))!;
        var direct = Rig.Secret(record, ConnectionSecretKind.Direct);
        var pooled = Rig.Secret(record, ConnectionSecretKind.Pooled);
        Assert.Equal(SslMode.Prefer, new NpgsqlConnectionStringBuilder(direct).SslMode); // loopback host
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(direct));
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(pooled));

        var password = new NpgsqlConnectionStringBuilder(direct).Password!;
        Assert.DoesNotContain(Rig.Logs.GetSnapshot(), r => r.Message.Contains(password, StringComparison.Ordinal));
        Assert.Contains(Rig.Logs.GetSnapshot(), r => r.Id.Id == 4000 && r.Message.Contains("acme", StringComparison.Ordinal));
        Assert.Contains(Rig.Logs.GetSnapshot(), r => r.Message.Contains("POST projects", StringComparison.Ordinal) && r.Message.Contains("request id", StringComparison.Ordinal)
            && r.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().Any(scope => scope.Any(p => p.Key == "TenantId" && Equals(p.Value, "acme"))));
    }

    [Fact]
    public async Task ProvisionAsync_ReadyTenant_MakesNoApiCall()
    {
        var id = TenantId.Parse("acme");
        var first = await Rig.Provider.ProvisionAsync(id, Request);
        var before = Fake.RequestLog.Count;

        var second = await Rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(first.ProjectId, second.ProjectId);
        Assert.Equal(before, Fake.RequestLog.Count);
        Assert.Equal(first, await Rig.Provider.GetAsync(id));
        Assert.Equal(first.TenantId, Assert.Single(await Rig.Provider.ListAllAsync().ToListAsync()).TenantId);
        Assert.Equal(before, Fake.RequestLog.Count);
    }

    public static TheoryData<string, bool> Checkpoints()
    {
        var data = new TheoryData<string, bool>();
        // The claim's checkpoints (AfterClaim...) are only reached with a warm pool: WarmPoolClaimTests crash there.
        foreach (var checkpoint in Enum.GetNames<ProvisioningCheckpoint>().Where(c => !c.StartsWith("AfterClaim", StringComparison.Ordinal)))
        {
            data.Add(checkpoint, true);
            data.Add(checkpoint, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public async Task ProvisionAsync_AfterCrashOrFailureAtStep_NextCallConvergesOnOneProject(string step, bool crash)
    {
        var checkpoint = Enum.Parse<ProvisioningCheckpoint>(step);
        var id = TenantId.Parse("crashy");
        if (checkpoint == ProvisioningCheckpoint.AfterApplicationRoleGrants)
        {
            // Reached only when an application role is configured.
            await Rig.DisposeAsync();
            Rig = ProvisioningRig.Create(Fake, Key, configure: s => s.Configure<TenantProvisioningOptions>(o => o.ApplicationRoleName = "app"));
        }

        using var abandon = new CancellationTokenSource();
        Rig.Provider.Checkpoint = (at, ct) =>
        {
            if (at == checkpoint)
            {
                if (crash)
                {
                    // The process "dies" here: the call is abandoned and nothing more is written.
                    abandon.Cancel();
                    ct.ThrowIfCancellationRequested();
                }

                throw new InvalidOperationException("injected failure");
            }

            return ValueTask.CompletedTask;
        };

        if (crash)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Rig.Provider.ProvisionAsync(id, Request, abandon.Token));
            Assert.Equal(TenantState.Provisioning, (await Rig.Catalog.GetAsync(id))!.State);
        }
        else
        {
            var failure = await Assert.ThrowsAsync<TenantProvisioningException>(() => Rig.Provider.ProvisionAsync(id, Request));
            Assert.IsType<InvalidOperationException>(failure.InnerException);
            var failed = (await Rig.Catalog.GetAsync(id))!;
            Assert.Equal(TenantState.Failed, failed.State);
        }

        Rig.Provider.Checkpoint = null;
        var tenant = await Rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(TenantState.Ready, tenant.State);
        var project = Assert.Single(await Fake.GetProjectsAsync());
        Assert.Equal(project.Id, tenant.ProjectId);
        Assert.Equal(1, Fake.CallsPerRoute[CreateRoute]);
        Assert.Empty(await Rig.Provider.SweepOrphansAsync());
        Assert.Equal(1, await ProvisioningRig.SelectOneAsync(Rig.Secret((await Rig.Catalog.GetAsync(id))!, ConnectionSecretKind.Direct)));
    }

    [Fact]
    public async Task ProvisionAsync_CreateConnectionDropped_NextCallLooksUpByNameFirstAndConverges()
    {
        var id = TenantId.Parse("dropped");
        Fake.Faults.Inject(CreateRoute, NeonFault.DropConnection(), times: 1);

        await Assert.ThrowsAnyAsync<Api.NeonApiException>(() => Rig.Provider.ProvisionAsync(id, Request)); // Neon's failures escape as themselves
        var failed = (await Rig.Catalog.GetAsync(id))!;
        Assert.Equal(TenantState.Failed, failed.State);
        Assert.StartsWith(nameof(TenantProvisioningStep.CreateProject) + ":", failed.FailureReason, StringComparison.Ordinal);

        var tenant = await Rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(TenantState.Ready, tenant.State);
        Assert.Single(await Fake.GetProjectsAsync());
        var log = Fake.RequestLog;
        var search = log.ToList().FindLastIndex(r => r.Route == "GET projects");
        var create = log.ToList().FindLastIndex(r => r.Route == CreateRoute);
        Assert.True(search >= 0 && search < create, "the retry must search by name before it creates again");
    }

    [Fact]
    public async Task ProvisionAsync_CreateOperationFails_FailedThenNextCallResumesTheSameProject()
    {
        var id = TenantId.Parse("opfail");
        Fake.Faults.Inject(CreateRoute, NeonFault.FailOperation(), times: 1);

        await Assert.ThrowsAsync<Api.NeonOperationFailedException>(() => Rig.Provider.ProvisionAsync(id, Request));
        var failed = (await Rig.Catalog.GetAsync(id))!;
        Assert.Equal(TenantState.Failed, failed.State);
        Assert.StartsWith(nameof(TenantProvisioningStep.WaitForOperations) + ":", failed.FailureReason, StringComparison.Ordinal);
        Assert.NotNull(failed.ProjectId);

        var tenant = await Rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(failed.ProjectId, tenant.ProjectId);
        Assert.Single(await Fake.GetProjectsAsync());
        Assert.Equal(1, Fake.CallsPerRoute[CreateRoute]);
    }

    [Fact]
    public async Task ProvisionAsync_CancelledDuringWait_NextCallWaitsForTheSameProject()
    {
        await using var slowFake = ProvisioningRig.StartFake(TimeSpan.FromSeconds(2));
        await using var rig = ProvisioningRig.Create(slowFake, Key);
        var id = TenantId.Parse("slow");
        using var cts = new CancellationTokenSource();
        rig.Provider.Checkpoint = (at, _) =>
        {
            if (at == ProvisioningCheckpoint.AfterCatalogWrite)
            {
                cts.CancelAfter(TimeSpan.FromMilliseconds(300)); // the operations take 2 s: this lands inside the wait
            }

            return ValueTask.CompletedTask;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Provider.ProvisionAsync(id, Request, cts.Token));
        var abandoned = (await rig.Catalog.GetAsync(id))!;
        Assert.Equal(TenantState.Provisioning, abandoned.State);
        Assert.NotNull(abandoned.ProjectId);
        Assert.True(slowFake.CallsPerRoute["GET projects/{project_id}/operations/{operation_id}"] >= 1, "the call was abandoned while polling");

        rig.Provider.Checkpoint = null;
        var tenant = await rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(TenantState.Ready, tenant.State);
        Assert.Equal(abandoned.ProjectId, tenant.ProjectId);
        Assert.Single(await slowFake.GetProjectsAsync());
    }

    [Fact]
    public async Task ProvisionAsync_InitializerFailsOnce_FailedThenResumedAndSchemaVersionRecorded()
    {
        var initializer = new TableInitializer { FailuresLeft = 1 };
        await using var rig = ProvisioningRig.Create(Fake, Key, configure: s => s.AddSingleton<ITenantDatabaseInitializer>(initializer));
        var id = TenantId.Parse("init");

        var failure = await Assert.ThrowsAsync<TenantProvisioningException>(() => rig.Provider.ProvisionAsync(id, Request));
        Assert.Equal(TenantProvisioningStep.Initialize, failure.Step);
        Assert.Equal(TenantState.Failed, (await rig.Catalog.GetAsync(id))!.State);

        var tenant = await rig.Provider.ProvisionAsync(id, Request);

        Assert.Equal(TenantState.Ready, tenant.State);
        Assert.Equal(3, tenant.SchemaVersion);
        Assert.Single(await Fake.GetProjectsAsync());
        Assert.Equal(2, initializer.Runs);
        await using var connection = new NpgsqlConnection(rig.Secret((await rig.Catalog.GetAsync(id))!, ConnectionSecretKind.Direct));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM items", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ProvisionAsync_ManyConcurrentCallsForOneTenantInProcess_OneProject()
    {
        var id = TenantId.Parse("busy");

        Assert.IsType<InProcessTenantLock>(Rig.Lock);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Rig.Provider.ProvisionAsync(id, Request))));

        Assert.Single(results.Select(r => r.ProjectId).Distinct());
        Assert.Single(await Fake.GetProjectsAsync());
        Assert.Equal(1, Fake.CallsPerRoute[CreateRoute]);
    }

    [Fact]
    public async Task ProvisionAsync_Metrics_DurationRecordedAndFailuresCounted()
    {
        var factory = Rig.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var duration = new MetricCollector<double>(factory, "Neon.Tenancy", "neon.tenancy.provisioning.duration");
        using var failures = new MetricCollector<long>(factory, "Neon.Tenancy", "neon.tenancy.provisioning.failures");
        Fake.Faults.Inject(CreateRoute, NeonFault.Status(422, "PROJECTS_LIMIT_EXCEEDED", "limit"), times: 1);

        await Assert.ThrowsAnyAsync<Api.NeonApiException>(() => Rig.Provider.ProvisionAsync(TenantId.Parse("m1"), Request));
        await Rig.Provider.ProvisionAsync(TenantId.Parse("m1"), Request);

        var failure = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal(1, failure.Value);
        Assert.Equal("CreateProject", failure.Tags["neon.tenancy.provisioning.step"]);
        var measured = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(measured.Value > 0);
        Assert.Equal("created", measured.Tags["neon.tenancy.provisioning.outcome"]);
        Assert.Contains(Rig.Logs.GetSnapshot(), r => r.Id.Id == 4004 && r.Message.Contains("m1", StringComparison.Ordinal) && r.Message.Contains("request id", StringComparison.Ordinal));
    }

    private sealed class TableInitializer : ITenantDatabaseInitializer
    {
        public int FailuresLeft { get; set; }

        public int Runs { get; private set; }

        public async Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken)
        {
            Runs++;
            await using var connection = new NpgsqlConnection(context.DirectConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY)", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (FailuresLeft-- > 0)
            {
                throw new InvalidOperationException("initializer failed");
            }

            return 3;
        }
    }
}
