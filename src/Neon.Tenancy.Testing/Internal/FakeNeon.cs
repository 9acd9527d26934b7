using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// The state of the fake Neon account and the handlers of its routes. Every request runs under one gate, so state
/// needs no finer locking and the real PostgreSQL work of a request is atomic with its state change.
/// </summary>
internal sealed partial class FakeNeon : IAsyncDisposable
{
    private const string LockedMessage = "project already has running operations, scheduling of new ones is prohibited";
    private static readonly string[] Adjectives = ["quiet", "cold", "bold", "wild", "young", "proud", "dry", "late", "misty", "royal", "snowy", "silent"];
    private static readonly string[] Nouns = ["snow", "poetry", "river", "forest", "moon", "field", "sound", "leaf", "rain", "pond", "sun", "meadow"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<FakeProject> _projects = [];
    private readonly NeonFakeServerOptions _options;
    private readonly PostgresBackend? _postgres;
    private readonly ComputeProxy? _proxy;
    private long _sequence;

    public FakeNeon(NeonFakeServerOptions options, PostgresBackend? postgres)
    {
        _options = options;
        _postgres = postgres;
        _proxy = postgres is null || options.ComputeStartLatency <= TimeSpan.Zero
            ? null
            : new ComputeProxy(postgres.Host, postgres.Port, options.ComputeStartLatency, RecordStartedAsync);
        Router = new FakeRouter();
        MapProjects(Router);
        MapBranches(Router);
        MapEndpoints(Router);
        MapSnapshots(Router);
        MapSnapshotRestore(Router);
        MapOperations(Router);
        MapConsumption(Router);
    }

    public FakeRouter Router { get; }

    /// <summary>An operation fault to apply to the operations of the request being handled.</summary>
    public string? PendingOperationFailure { get; set; }

    private DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    public async Task<FakeResponse> HandleAsync(Func<FakeRequest, Task<FakeResponse>> handler, FakeRequest request, string? failOperations,
        CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PendingOperationFailure = failOperations;
            RefreshAll();
            await ExpireSnapshotsAsync().ConfigureAwait(false);
            await TakeScheduledSnapshotsAsync().ConfigureAwait(false);
            return await handler(request).ConfigureAwait(false);
        }
        catch (FakeApiException ex)
        {
            return FakeResponse.Error(ex.StatusCode, ex.Code, ex.Message, request.RequestId);
        }
        catch (JsonException)
        {
            return FakeResponse.Error(400, "", "request body is not valid JSON for this operation", request.RequestId);
        }
        finally
        {
            PendingOperationFailure = null;
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> under the gate (introspection and test controls).</summary>
    public async Task<T> WithStateAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RefreshAll();
            return await action().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync().ConfigureAwait(false);
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void RefreshAll()
    {
        var now = Now;
        foreach (var project in _projects)
        {
            foreach (var operation in project.Operations)
            {
                operation.Refresh(now);
            }
        }
    }

    // ---- lookups -------------------------------------------------------------------------------------------------

    private FakeProject LiveProject(string projectId) =>
        _projects.FirstOrDefault(p => p.DeletedAt is null && p.Project.Id == projectId)
        ?? throw new FakeApiException(404, $"project {projectId} not found");

    private static FakeBranch BranchOf(FakeProject project, string branchId) =>
        project.Branches.FirstOrDefault(b => b.Branch.Id == branchId)
        ?? throw new FakeApiException(404, $"branch {branchId} not found");

    private static Endpoint EndpointOf(FakeProject project, string endpointId) =>
        project.Endpoints.FirstOrDefault(e => e.Id == endpointId)
        ?? throw new FakeApiException(404, $"endpoint {endpointId} not found");

    private static FakeRole RoleOf(FakeBranch branch, string roleName) =>
        branch.Roles.FirstOrDefault(r => r.Role.Name == roleName)
        ?? throw new FakeApiException(404, $"role {roleName} not found");

    private static FakeDatabase DatabaseOf(FakeBranch branch, string databaseName) =>
        branch.Databases.FirstOrDefault(d => d.Database.Name == databaseName)
        ?? throw new FakeApiException(404, $"database {databaseName} not found");

    /// <summary>Neon refuses a mutation while the project has operations that have not ended.</summary>
    private static void EnsureNotLocked(FakeProject project)
    {
        if (project.Operations.Any(o => !o.Ended))
        {
            throw new FakeApiException(423, LockedMessage);
        }
    }

    // ---- operations ----------------------------------------------------------------------------------------------

    private Operation StartOperation(FakeProject project, OperationAction action, string? branchId, string? endpointId, TimeSpan? duration = null,
        DateTimeOffset? startedAt = null)
    {
        var now = Now;
        var start = startedAt ?? now;
        var operation = new Operation
        {
            Id = Guid.NewGuid().ToString(),
            ProjectId = project.Project.Id,
            BranchId = branchId,
            EndpointId = endpointId,
            Action = action,
            Status = OperationStatus.Scheduling,
            CreatedAt = start,
            UpdatedAt = start,
        };
        var fake = new FakeOperation { Operation = operation, StartedAt = start, Duration = duration ?? _options.OperationDuration, FailWith = PendingOperationFailure };
        fake.Refresh(now);
        project.Operations.Add(fake);
        return operation;
    }

    // ---- cold starts ---------------------------------------------------------------------------------------------

    /// <summary>A connection started the endpoint's compute (through the proxy): it is active from now.</summary>
    private Task RecordStartedAsync(string endpointId) => WithStateAsync(() =>
    {
        var endpoint = _projects.SelectMany(p => p.Endpoints).FirstOrDefault(e => e.Id == endpointId);
        if (endpoint is not null)
        {
            var now = Now;
            endpoint.CurrentState = EndpointState.Active;
            endpoint.StartedAt = now;
            endpoint.LastActive = now;
            endpoint.UpdatedAt = now;
        }

        return Task.FromResult(true);
    }, CancellationToken.None);

    /// <summary>The endpoints are gone (project deleted, branch deleted, restore finalized): their proxy ports close.</summary>
    private void CloseComputes(IEnumerable<Endpoint> endpoints)
    {
        if (_proxy is null)
        {
            return;
        }

        foreach (var endpoint in endpoints)
        {
            _proxy.Close(endpoint.Id);
        }
    }

    // ---- quotas --------------------------------------------------------------------------------------------------

    private static bool OverQuota(Project project)
    {
        var quota = project.Settings?.Quota;
        if (quota is null)
        {
            return false;
        }

        // A period quota of 1 is Neon's documented way to suspend a project on purpose: a compute uses its first second
        // (or byte) as soon as it runs, so the fake treats 1 as used up even while the counter still reads 0.
        static bool Over(long? limit, long used) => limit is > 0 && (used >= limit.Value || limit.Value == 1);
        return Over(quota.ActiveTimeSeconds, project.ActiveTimeSeconds)
            || Over(quota.ComputeTimeSeconds, project.CpuUsedSec)
            || Over(quota.WrittenDataBytes, project.WrittenDataBytes)
            || Over(quota.DataTransferBytes, project.DataTransferBytes);
    }

    /// <summary>Suspends or wakes the project's computes to match its usage against its quota.</summary>
    private async Task ApplyQuotaAsync(FakeProject project, CancellationToken cancellationToken)
    {
        var over = OverQuota(project.Project);
        if (over == project.QuotaSuspended)
        {
            return;
        }

        project.QuotaSuspended = over;
        var now = Now;
        foreach (var endpoint in project.Endpoints)
        {
            if (over)
            {
                _proxy?.Suspend(endpoint.Id);
            }

            endpoint.CurrentState = over ? EndpointState.Idle : EndpointState.Active;
            endpoint.SuspendedAt = over ? now : endpoint.SuspendedAt;
            endpoint.StartedAt = over ? endpoint.StartedAt : now;
            endpoint.UpdatedAt = now;
        }

        if (_postgres is not null)
        {
            await _postgres.SetConnectableAsync(project.RealDatabases, !over, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task SetUsageAsync(string projectId, NeonFakeUsage usage, CancellationToken cancellationToken) => WithStateAsync(async () =>
    {
        var project = LiveProjectOrThrow(projectId);
        var p = project.Project;
        p.ActiveTimeSeconds = usage.ActiveTimeSeconds ?? p.ActiveTimeSeconds;
        p.ComputeTimeSeconds = usage.ComputeTimeSeconds ?? p.ComputeTimeSeconds;
        p.CpuUsedSec = usage.ComputeTimeSeconds ?? p.CpuUsedSec;
        p.WrittenDataBytes = usage.WrittenDataBytes ?? p.WrittenDataBytes;
        p.DataTransferBytes = usage.DataTransferBytes ?? p.DataTransferBytes;
        p.DataStorageBytesHour = usage.DataStorageBytesHour ?? p.DataStorageBytesHour;
        p.SyntheticStorageSize = usage.SyntheticStorageSize ?? p.SyntheticStorageSize;
        var branch = project.DefaultBranch.Branch;
        branch.LogicalSize = usage.LogicalSizeBytes ?? branch.LogicalSize;
        await ApplyQuotaAsync(project, cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    public Task AddConsumptionAsync(string projectId, DateTimeOffset timestamp, string metric, long value, CancellationToken cancellationToken) =>
        WithStateAsync(() =>
        {
            LiveProjectOrThrow(projectId).Consumption.Add((timestamp, metric, value));
            return Task.FromResult(true);
        }, cancellationToken);

    public Task<string> StartOperationAsync(string projectId, TimeSpan duration, string? failWith, CancellationToken cancellationToken) => WithStateAsync(() =>
    {
        var project = LiveProjectOrThrow(projectId);
        PendingOperationFailure = failWith;
        try
        {
            return Task.FromResult(StartOperation(project, OperationAction.ApplyConfig, project.DefaultBranch.Branch.Id, endpointId: null, duration).Id);
        }
        finally
        {
            PendingOperationFailure = null;
        }
    }, cancellationToken);

    public Task<IReadOnlyList<Project>> SnapshotProjectsAsync(CancellationToken cancellationToken) => WithStateAsync(() =>
        Task.FromResult<IReadOnlyList<Project>>([.. _projects.Where(p => p.DeletedAt is null).Select(p => Clone(p.Project, NeonApiJsonContext.Default.Project))]),
        cancellationToken);

    public Task<string?> RealDatabaseNameAsync(string projectId, string databaseName, CancellationToken cancellationToken) => WithStateAsync(() =>
        Task.FromResult(LiveProjectOrThrow(projectId).DefaultBranch.Databases.FirstOrDefault(d => d.Database.Name == databaseName)?.RealName),
        cancellationToken);

    private FakeProject LiveProjectOrThrow(string projectId) =>
        _projects.FirstOrDefault(p => p.DeletedAt is null && p.Project.Id == projectId)
        ?? throw new ArgumentException($"The fake has no live project '{projectId}'.", nameof(projectId));

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static T Clone<T>(T value, JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), typeInfo)!;

    private static T ReadBody<T>(FakeRequest request, JsonTypeInfo<T> typeInfo, string what) where T : class
    {
        if (string.IsNullOrWhiteSpace(request.Body))
        {
            throw new FakeApiException(400, $"request body is required: {what}");
        }

        return JsonSerializer.Deserialize(request.Body, typeInfo) ?? throw new FakeApiException(400, $"request body is required: {what}");
    }

    private static string Word(string[] words) => words[RandomNumberGenerator.GetInt32(words.Length)];

    private static string Digits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));

    private static string Alnum(int count) => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", count);

    private static string NewProjectId() => $"{Word(Adjectives)}-{Word(Nouns)}-{Digits(8)}";

    private static string NewBranchId() => $"br-{Word(Adjectives)}-{Word(Nouns)}-{Alnum(8)}";

    private static string NewEndpointId() => $"ep-{Word(Adjectives)}-{Word(Nouns)}-{Alnum(8)}";

    /// <summary>Neon passwords look like <c>npg_</c> plus 12 letters and digits.</summary>
    private static string NewPassword() =>
        "npg_" + RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 12);

    private static long? ParseLong(FakeRequest request, string name, long min, long max)
    {
        var text = request.QueryValue(name);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new FakeApiException(400, $"{name} must be an integer between {min} and {max}");
        }

        return value;
    }

    private static bool? ParseBool(FakeRequest request, string name)
    {
        var text = request.QueryValue(name);
        return text is null ? null : bool.TryParse(text, out var value) ? value : throw new FakeApiException(400, $"{name} must be true or false");
    }

    private static string Host(string endpointId, string regionId, bool pooled)
    {
        var region = regionId.StartsWith("aws-", StringComparison.Ordinal) ? regionId[4..] + ".aws" : regionId.Replace("azure-", "", StringComparison.Ordinal) + ".azure";
        return $"{endpointId}{(pooled ? "-pooler" : "")}.{region}.neon.tech";
    }
}
