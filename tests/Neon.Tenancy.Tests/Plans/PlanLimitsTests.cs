using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Provisioning;
using Npgsql;
using Xunit.Abstractions;

namespace Neon.Tenancy.Tests.Plans;

/// <summary>IPlanLimits end to end: AddNeonTenancy, the fake Neon (operations end at once, so call counts are exact) and real PostgreSQL.</summary>
public sealed class PlanLimitsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string CreateProject = "POST projects";
    private const string GetProject = "GET projects/{project_id}";
    private const string PatchProject = "PATCH projects/{project_id}";
    private const string GetEndpoint = "GET projects/{project_id}/endpoints/{endpoint_id}";
    private const string PatchEndpoint = "PATCH projects/{project_id}/endpoints/{endpoint_id}";
    private const string SuspendEndpoint = "POST projects/{project_id}/endpoints/{endpoint_id}/suspend";
    private const string ListOperations = "GET projects/{project_id}/operations";
    private const long GB = 1_000_000_000;

    private readonly string _key = SecretsTestData.NewKey();
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();
    private NeonFakeServer _fake = null!;
    private ProvisioningRig _rig = null!;

    private IPlanLimits Plans => _rig.Services.GetRequiredService<IPlanLimits>();

    private TenantConnectionFactory Connections => _rig.Services.GetRequiredService<TenantConnectionFactory>();

    public Task InitializeAsync()
    {
        _fake = ProvisioningRig.StartFake(TimeSpan.Zero);
        _rig = ProvisioningRig.Create(_fake, _key, configure: services =>
        {
            new NeonTenancyBuilder(services).ConfigurePlans(ConfigurePlans);
            services.AddHttpClient(NeonApiClient.HttpClientName).AddHttpMessageHandler(() => new CaptureHandler(_requests));
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _fake.DisposeAsync();
    }

    // Two plans alike in shape, different in every value: test data, kept apart on purpose (eng/DUPLICATES.md, "Test data").
    private static void ConfigurePlans(TenantPlanOptions options)
    {
        options.DefaultPlan = "free";
        options.Plans["free"] = new TenantPlan
        {
            ComputeHours = 5,
            ActiveHours = 10,
            WrittenGB = 1,
            TransferGB = 2,
            StorageGB = 0.5,
            MinComputeUnits = 0.25,
            MaxComputeUnits = 1,
            SuspendTimeout = TimeSpan.FromMinutes(5),
            HistoryRetention = TimeSpan.FromDays(1),
            MaxPoolSize = 5,
        };
        options.Plans["pro"] = new TenantPlan
        {
            ComputeHours = 100,
            WrittenGB = 10,
            StorageGB = 5,
            MinComputeUnits = 0.5,
            MaxComputeUnits = 4,
            SuspendTimeout = TimeSpan.FromMinutes(10),
            HistoryRetention = TimeSpan.FromDays(7),
            MaxPoolSize = 25,
        };
    }

    private async Task<TenantRecord> ProvisionAsync(string id, string plan = "free") =>
        await _rig.Provider.ProvisionAsync(TenantId.Parse(id), new TenantProvisionRequest { Plan = plan });

    private JsonElement LastBody(string method, string pathSuffix)
    {
        var request = _requests.Last(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));
        return JsonDocument.Parse(request.Body!).RootElement;
    }

    private Dictionary<string, int> CallsSince(IReadOnlyDictionary<string, int> before) =>
        _fake.CallsPerRoute
            .Select(c => (c.Key, Count: c.Value - before.GetValueOrDefault(c.Key)))
            .Where(c => c.Count > 0)
            .ToDictionary(c => c.Key, c => c.Count, StringComparer.Ordinal);

    [Fact]
    public async Task ProvisionAsync_NoSettings_CreateCallCarriesThePlan()
    {
        await ProvisionAsync("acme");

        var project = LastBody("POST", "/projects").GetProperty("project");
        var quota = project.GetProperty("settings").GetProperty("quota");
        Assert.Equal(5 * 3600, quota.GetProperty("compute_time_seconds").GetInt64());
        Assert.Equal(10 * 3600, quota.GetProperty("active_time_seconds").GetInt64());
        Assert.Equal(GB, quota.GetProperty("written_data_bytes").GetInt64());
        Assert.Equal(2 * GB, quota.GetProperty("data_transfer_bytes").GetInt64());
        Assert.Equal(GB / 2, quota.GetProperty("logical_size_bytes").GetInt64());
        var defaults = project.GetProperty("default_endpoint_settings");
        Assert.Equal(0.25, defaults.GetProperty("autoscaling_limit_min_cu").GetDouble());
        Assert.Equal(1, defaults.GetProperty("autoscaling_limit_max_cu").GetDouble());
        Assert.Equal(300, defaults.GetProperty("suspend_timeout_seconds").GetInt64());
        Assert.Equal(86400, project.GetProperty("history_retention_seconds").GetInt32());
        Assert.Empty(await Plans.CheckDriftAsync(TenantId.Parse("acme")) is { } drift ? drift.Differences : []);
    }

    [Fact]
    public async Task ProvisionAsync_UnknownPlan_ThrowsBeforeAnyCallOrCatalogWrite()
    {
        var error = await Assert.ThrowsAsync<UnknownPlanException>(() => ProvisionAsync("acme", "gold"));

        Assert.Equal("gold", error.Plan);
        Assert.Empty(_fake.RequestLog);
        Assert.Null(await _rig.Catalog.GetAsync(TenantId.Parse("acme")));
    }

    [Fact]
    public async Task ChangePlanAsync_ReadyTenant_PatchesQuotaDefaultsAndEndpoint_RecordsPlanAndSignals()
    {
        var tenant = await ProvisionAsync("acme");
        var changes = new ConcurrentQueue<TenantChange>();
        using var subscription = _rig.Catalog.SubscribeToChanges(changes.Enqueue);
        var before = _fake.CallsPerRoute;

        var changed = await Plans.ChangePlanAsync(tenant.TenantId, "PRO");

        Assert.Equal("pro", changed.Plan);
        Assert.Equal(TenantState.Ready, changed.State);
        // Each change looks at the project's running operations first (the mutation path), then sends.
        Assert.Equal(new Dictionary<string, int> { [ListOperations] = 2, [PatchProject] = 1, [PatchEndpoint] = 1 }, CallsSince(before));

        var project = LastBody("PATCH", "/projects/" + tenant.ProjectId).GetProperty("project");
        var quota = project.GetProperty("settings").GetProperty("quota");
        Assert.Equal(100 * 3600, quota.GetProperty("compute_time_seconds").GetInt64());
        Assert.Equal(0, quota.GetProperty("active_time_seconds").GetInt64()); // not in the plan: unlimited, sent explicitly
        Assert.Equal(10 * GB, quota.GetProperty("written_data_bytes").GetInt64());
        Assert.Equal(0, quota.GetProperty("data_transfer_bytes").GetInt64());
        Assert.Equal(5 * GB, quota.GetProperty("logical_size_bytes").GetInt64());
        var defaults = project.GetProperty("default_endpoint_settings");
        Assert.Equal(0.5, defaults.GetProperty("autoscaling_limit_min_cu").GetDouble());
        Assert.Equal(4, defaults.GetProperty("autoscaling_limit_max_cu").GetDouble());
        Assert.Equal(600, defaults.GetProperty("suspend_timeout_seconds").GetInt64());
        Assert.Equal(7 * 86400, project.GetProperty("history_retention_seconds").GetInt32());

        var endpoint = LastBody("PATCH", "/endpoints/" + tenant.EndpointId).GetProperty("endpoint");
        Assert.Equal(0.5, endpoint.GetProperty("autoscaling_limit_min_cu").GetDouble());
        Assert.Equal(4, endpoint.GetProperty("autoscaling_limit_max_cu").GetDouble());
        Assert.Equal(600, endpoint.GetProperty("suspend_timeout_seconds").GetInt64());
        Assert.True(_requests.ToList().FindIndex(r => r.Method == "PATCH" && r.Path.EndsWith("/projects/" + tenant.ProjectId, StringComparison.Ordinal))
            < _requests.ToList().FindIndex(r => r.Method == "PATCH" && r.Path.Contains("/endpoints/", StringComparison.Ordinal)));

        // The fake stored what was sent, and the catalog's change feed says the plan changed.
        var stored = (await _rig.Api.Projects.GetProjectAsync(tenant.ProjectId!)).Project;
        Assert.Equal(360000, stored.Settings!.Quota!.ComputeTimeSeconds);
        Assert.Equal(4, stored.DefaultEndpointSettings!.AutoscalingLimitMaxCu);
        Assert.Equal(604800, stored.HistoryRetentionSeconds);
        var storedEndpoint = (await _rig.Api.Endpoints.GetProjectEndpointAsync(tenant.ProjectId!, tenant.EndpointId!)).Endpoint;
        Assert.Equal((0.5, 4.0, 600L), (storedEndpoint.AutoscalingLimitMinCu, storedEndpoint.AutoscalingLimitMaxCu, storedEndpoint.SuspendTimeoutSeconds));
        Assert.Equal("pro", (await _rig.Catalog.GetAsync(tenant.TenantId))!.Plan);
        var change = Assert.Single(changes);
        Assert.True(change.PlanChanged);
        Assert.Equal("pro", change.Plan);
        Assert.False((await Plans.CheckDriftAsync(tenant.TenantId)).HasDrift);
    }

    [Fact]
    public async Task ChangePlanAsync_AfterChange_NextDataSourceHasThePlansPoolSize()
    {
        var tenant = await ProvisionAsync("acme");
        var first = await Connections.GetDataSourceAsync(tenant.TenantId);
        Assert.Equal(5, new NpgsqlConnectionStringBuilder(first.ConnectionString).MaxPoolSize);

        await Plans.ChangePlanAsync(tenant.TenantId, "pro");

        Assert.Null(Connections.PeekEntry(tenant.TenantId, TenantConnectionKind.Pooled)); // evicted by the change feed
        var second = await Connections.GetDataSourceAsync(tenant.TenantId);
        Assert.NotSame(first, second);
        Assert.Equal(25, new NpgsqlConnectionStringBuilder(second.ConnectionString).MaxPoolSize);
        Assert.Equal(25, Connections.PeekEntry(tenant.TenantId, TenantConnectionKind.Pooled)!.DataSource is { } ds
            ? new NpgsqlConnectionStringBuilder(ds.ConnectionString).MaxPoolSize : 0);
    }

    [Fact]
    public async Task ChangePlanAsync_UnknownPlan_ThrowsWithoutAnyCall()
    {
        var tenant = await ProvisionAsync("acme");
        var before = _fake.CallsPerRoute;

        await Assert.ThrowsAsync<UnknownPlanException>(() => Plans.ChangePlanAsync(tenant.TenantId, "gold"));

        Assert.Empty(CallsSince(before));
        Assert.Equal("free", (await _rig.Catalog.GetAsync(tenant.TenantId))!.Plan);
    }

    [Fact]
    public async Task ChangePlanAsync_UnknownTenant_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<TenantNotFoundException>(() => Plans.ChangePlanAsync(TenantId.Parse("nobody"), "pro"));
    }

    [Fact]
    public async Task SuspendAsync_QuotasToOne_CatalogSuspended_FactoryRefuses_ResumeRestores()
    {
        var tenant = await ProvisionAsync("acme");
        await using (var connection = await Connections.OpenConnectionAsync(tenant.TenantId))
        {
            Assert.Equal(ConnectionStateOpen, connection.State);
        }

        var suspended = await Plans.SuspendAsync(tenant.TenantId);

        Assert.Equal(TenantState.Suspended, suspended.State);
        Assert.Equal(TenantState.Suspended, (await _rig.Catalog.GetAsync(tenant.TenantId))!.State);
        var quota = LastBody("PATCH", "/projects/" + tenant.ProjectId).GetProperty("project").GetProperty("settings").GetProperty("quota");
        Assert.Equal(1, quota.GetProperty("active_time_seconds").GetInt64());
        Assert.Equal(1, quota.GetProperty("compute_time_seconds").GetInt64());
        Assert.Equal(1, quota.GetProperty("written_data_bytes").GetInt64());
        Assert.Equal(1, quota.GetProperty("data_transfer_bytes").GetInt64());
        Assert.Equal(GB / 2, quota.GetProperty("logical_size_bytes").GetInt64()); // per-branch size limit: the plan's
        Assert.Equal(1, _fake.CallsPerRoute[SuspendEndpoint]);
        var endpoint = (await _rig.Api.Endpoints.GetProjectEndpointAsync(tenant.ProjectId!, tenant.EndpointId!)).Endpoint;
        Assert.Equal(EndpointState.Idle, endpoint.CurrentState);
        var refused = await Assert.ThrowsAsync<TenantStateException>(async () => await Connections.OpenConnectionAsync(tenant.TenantId));
        Assert.Equal(TenantState.Suspended, refused.State);
        Assert.False((await Plans.CheckDriftAsync(tenant.TenantId)).HasDrift); // suspension quotas are what a suspended tenant should carry

        // Neon refuses to start a compute over its quota (the fake's 423): the suspension holds even if someone tries.
        await Assert.ThrowsAnyAsync<NeonApiException>(() => _rig.Api.Endpoints.StartProjectEndpointAsync(tenant.ProjectId!, tenant.EndpointId!));

        var again = await Plans.SuspendAsync(tenant.TenantId);
        Assert.Equal(TenantState.Suspended, again.State);

        var resumed = await Plans.ResumeAsync(tenant.TenantId);

        Assert.Equal(TenantState.Ready, resumed.State);
        var restored = (await _rig.Api.Projects.GetProjectAsync(tenant.ProjectId!)).Project.Settings!.Quota!;
        Assert.Equal((36000L, 18000L, GB, 2 * GB), (restored.ActiveTimeSeconds!.Value, restored.ComputeTimeSeconds!.Value, restored.WrittenDataBytes!.Value, restored.DataTransferBytes!.Value));
        await using (var connection = await Connections.OpenConnectionAsync(tenant.TenantId))
        {
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
        }

        var before = _fake.CallsPerRoute;
        Assert.Equal(TenantState.Ready, (await Plans.ResumeAsync(tenant.TenantId)).State);
        Assert.Empty(CallsSince(before)); // idempotent: already ready
    }

    private const System.Data.ConnectionState ConnectionStateOpen = System.Data.ConnectionState.Open;

    [Fact]
    public async Task ChangePlanAsync_SuspendedTenant_RecordsThePlanOnly_ResumeAppliesIt()
    {
        var tenant = await ProvisionAsync("acme");
        await Plans.SuspendAsync(tenant.TenantId);
        var before = _fake.CallsPerRoute;

        var changed = await Plans.ChangePlanAsync(tenant.TenantId, "pro");

        Assert.Equal(("pro", TenantState.Suspended), (changed.Plan, changed.State));
        Assert.Empty(CallsSince(before));
        Assert.Equal(1, (await _rig.Api.Projects.GetProjectAsync(tenant.ProjectId!)).Project.Settings!.Quota!.ComputeTimeSeconds);

        await Plans.ResumeAsync(tenant.TenantId);

        var project = (await _rig.Api.Projects.GetProjectAsync(tenant.ProjectId!)).Project;
        Assert.Equal(360000, project.Settings!.Quota!.ComputeTimeSeconds);
        Assert.Equal(4, (await _rig.Api.Endpoints.GetProjectEndpointAsync(tenant.ProjectId!, tenant.EndpointId!)).Endpoint.AutoscalingLimitMaxCu);
        Assert.False((await Plans.CheckDriftAsync(tenant.TenantId)).HasDrift);
    }

    [Fact]
    public async Task CheckDriftAsync_ProjectChangedBehindTheSdksBack_ReportsNeonSettingNames()
    {
        var tenant = await ProvisionAsync("acme");
        await _rig.Api.Projects.UpdateProjectAsync(tenant.ProjectId!, new ProjectUpdateRequest
        {
            Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = new ProjectQuota { ComputeTimeSeconds = 999 } }, HistoryRetentionSeconds = 3600 },
        });
        await _rig.Api.Endpoints.UpdateProjectEndpointAsync(tenant.ProjectId!, tenant.EndpointId!, new EndpointUpdateRequest
        {
            Endpoint = new EndpointUpdateRequestEndpoint { AutoscalingLimitMaxCu = 2 },
        });
        var before = _fake.CallsPerRoute;

        var drift = await Plans.CheckDriftAsync(tenant.TenantId);

        Assert.Equal(new Dictionary<string, int> { [GetProject] = 1, [GetEndpoint] = 1 }, CallsSince(before)); // read-only
        Assert.Equal("free", drift.Plan);
        Assert.Equal(
            [
                new PlanSettingDifference("settings.quota.compute_time_seconds", "18000", "999"),
                new PlanSettingDifference("history_retention_seconds", "86400", "3600"),
                new PlanSettingDifference("endpoint.autoscaling_limit_max_cu", "1", "2"),
            ],
            drift.Differences);
    }

    [Fact]
    public async Task ReconcileAsync_TwoOfFiveDrifted_FixesExactlyThoseWithCountedCalls()
    {
        var tenants = new List<TenantRecord>();
        for (var i = 0; i < 5; i++)
        {
            tenants.Add(await ProvisionAsync($"t{i}"));
        }

        // t1: a quota changed behind the SDK's back; t3: its compute's suspend timeout.
        await _rig.Api.Projects.UpdateProjectAsync(tenants[1].ProjectId!, new ProjectUpdateRequest
        {
            Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = new ProjectQuota { WrittenDataBytes = 0 } } },
        });
        await _rig.Api.Endpoints.UpdateProjectEndpointAsync(tenants[3].ProjectId!, tenants[3].EndpointId!, new EndpointUpdateRequest
        {
            Endpoint = new EndpointUpdateRequestEndpoint { SuspendTimeoutSeconds = -1 },
        });
        var before = _fake.CallsPerRoute;

        var report = await Plans.ReconcileAsync(new PlanReconcileOptions { MaxConcurrency = 3 });

        var calls = CallsSince(before);
        output.WriteLine(string.Join(", ", calls.Select(c => $"{c.Key} x{c.Value}")));
        Assert.Equal(5, report.Checked);
        Assert.Equal(["t1", "t3"], report.Drifted.Select(d => d.TenantId.Value));
        Assert.Equal(new PlanSettingDifference("settings.quota.written_data_bytes", GB.ToString(System.Globalization.CultureInfo.InvariantCulture), "0"), Assert.Single(report.Drifted[0].Differences));
        Assert.Equal(new PlanSettingDifference("endpoint.suspend_timeout_seconds", "300", "-1"), Assert.Single(report.Drifted[1].Differences));
        Assert.Equal(["t1", "t3"], report.Fixed.Select(t => t.Value));
        Assert.Empty(report.Failed);
        // 5 x (read project + read endpoint), then one PATCH for t1's project and one for t3's endpoint, each after a look
        // at the project's running operations. Nothing else.
        Assert.Equal(new Dictionary<string, int> { [GetProject] = 5, [GetEndpoint] = 5, [ListOperations] = 2, [PatchProject] = 1, [PatchEndpoint] = 1 }, calls);

        var second = await Plans.ReconcileAsync();
        Assert.Equal(5, second.Checked);
        Assert.Empty(second.Drifted);
    }

    [Fact]
    public async Task ReconcileAsync_DryRun_ReportsWithoutChanging()
    {
        var tenant = await ProvisionAsync("acme");
        await _rig.Api.Projects.UpdateProjectAsync(tenant.ProjectId!, new ProjectUpdateRequest
        {
            Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = new ProjectQuota { ActiveTimeSeconds = 7 } } },
        });
        var before = _fake.CallsPerRoute;

        var report = await Plans.ReconcileAsync(new PlanReconcileOptions { DryRun = true });

        Assert.Single(report.Drifted);
        Assert.Empty(report.Fixed);
        Assert.DoesNotContain(PatchProject, CallsSince(before).Keys);
        Assert.True((await Plans.CheckDriftAsync(tenant.TenantId)).HasDrift);
    }

    [Fact]
    public async Task ReconcileAsync_OneTenantFails_ReportedWhileOthersFixed()
    {
        var tenants = new List<TenantRecord>();
        for (var i = 0; i < 3; i++)
        {
            var tenant = await ProvisionAsync($"t{i}");
            tenants.Add(tenant);
            await _rig.Api.Projects.UpdateProjectAsync(tenant.ProjectId!, new ProjectUpdateRequest
            {
                Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = new ProjectQuota { ComputeTimeSeconds = 0 } } },
            });
        }

        _fake.Faults.Inject($"PATCH *projects/{tenants[1].ProjectId}", NeonFault.Status(422, "TEST_REFUSED", "the project refused the change"), int.MaxValue);

        var report = await Plans.ReconcileAsync(new PlanReconcileOptions { MaxConcurrency = 2 });

        Assert.Equal(3, report.Checked);
        Assert.Equal(3, report.Drifted.Count);
        Assert.Equal(["t0", "t2"], report.Fixed.Select(t => t.Value));
        var failure = Assert.Single(report.Failed);
        Assert.Equal("t1", failure.Key.Value);
        Assert.Contains("422", failure.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.ApiKey, failure.Value, StringComparison.Ordinal);
        Assert.False((await Plans.CheckDriftAsync(tenants[0].TenantId)).HasDrift);
        Assert.True((await Plans.CheckDriftAsync(tenants[1].TenantId)).HasDrift);
    }

    private sealed record CapturedRequest(string Method, string Path, string? Body);

    /// <summary>Records every request body the API client sends (the fake's request log has routes, not bodies).</summary>
    private sealed class CaptureHandler(ConcurrentQueue<CapturedRequest> requests) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            requests.Enqueue(new CapturedRequest(request.Method.Method, request.RequestUri!.AbsolutePath, body));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
