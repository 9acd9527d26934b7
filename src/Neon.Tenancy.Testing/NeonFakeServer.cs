using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing.Internal;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseProviders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace Neon.Tenancy.Testing;

/// <summary>
/// A stateful fake of the Neon API v2 on a local WireMock.Net server: projects, branches, endpoints, roles,
/// databases, operations that run then finish on the fake's clock, 423 while they run, quotas that suspend computes,
/// consumption history, Neon's error bodies, fault injection and an optional real PostgreSQL behind every project.
/// Point a <see cref="NeonApiClient"/> at <see cref="ApiBaseAddress"/> (or use <see cref="CreateClient"/>).
/// </summary>
/// <remarks>Thread-safe. Requests are handled one at a time, in arrival order.</remarks>
public sealed class NeonFakeServer : IAsyncDisposable
{
    private const string ApiPrefix = "/api/v2/";

    private readonly WireMockServer _server;
    private readonly FakeNeon _neon;
    private readonly NeonFakeServerOptions _options;
    private readonly RateBudget _rateBudget;
    private readonly ConcurrentQueue<NeonFakeRequest> _requestLog = new();
    private readonly ConcurrentDictionary<string, int> _callsPerRoute = new(StringComparer.Ordinal);
    private int _disposed;

    private NeonFakeServer(NeonFakeServerOptions options)
    {
        _options = options;
        _rateBudget = new RateBudget(options);
        var postgres = options.PostgresConnectionString is null ? null : new PostgresBackend(options.PostgresConnectionString);
        _neon = new FakeNeon(options, postgres);
        _server = WireMockServer.Start(new WireMockServerSettings { StartAdminInterface = false, MaxRequestLogCount = 0 });
        _server.Given(Request.Create().WithPath(new WildcardMatcher("/*")).UsingAnyMethod()).RespondWith(new Provider(this));
        ApiBaseAddress = new Uri(_server.Url + ApiPrefix);
    }

    /// <summary>The API root to use as <see cref="HttpClient.BaseAddress"/>: <c>http://127.0.0.1:{port}/api/v2/</c>.</summary>
    public Uri ApiBaseAddress { get; }

    /// <summary>The API key the fake accepts; requests without it answer 401.</summary>
    public string ApiKey => _options.ApiKey;

    /// <summary>The organization id of the fake account.</summary>
    public string OrgId => _options.OrgId;

    /// <summary>Faults armed for the coming requests.</summary>
    public NeonFaultInjector Faults { get; } = new();

    /// <summary>Every request answered so far, oldest first.</summary>
    public IReadOnlyList<NeonFakeRequest> RequestLog => [.. _requestLog];

    /// <summary>Requests per route template (<c>POST projects</c>, <c>GET projects/{project_id}/operations/{operation_id}</c>, ...).</summary>
    public IReadOnlyDictionary<string, int> CallsPerRoute => new Dictionary<string, int>(_callsPerRoute, StringComparer.Ordinal);

    /// <summary>Starts a fake on a free local port.</summary>
    /// <param name="options">How it behaves; defaults when null.</param>
    /// <returns>The running fake; dispose it to stop it and drop its PostgreSQL databases and roles.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static NeonFakeServer Start(NeonFakeServerOptions? options = null)
    {
        options ??= new NeonFakeServerOptions();
        options.Validate();
        return new NeonFakeServer(options);
    }

    /// <summary>
    /// Points Neon API options at this fake: <see cref="NeonApiOptions.BaseAddress"/>, <see cref="NeonApiOptions.ApiKey"/>
    /// and <see cref="NeonApiOptions.OrgId"/> (the fake's organization). Use it with the real pipeline:
    /// <c>services.AddNeonApiClient(fake.ConfigureApi)</c> or <c>AddNeonTenancy(...).ConfigureApi(fake.ConfigureApi)</c>.
    /// </summary>
    /// <param name="options">The options to change.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public void ConfigureApi(NeonApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.BaseAddress = ApiBaseAddress;
        options.ApiKey = ApiKey;
        options.OrgId = OrgId;
    }

    /// <summary>
    /// An <see cref="HttpClient"/> with <see cref="ApiBaseAddress"/> and the API key as bearer token, for
    /// <c>new NeonApiClient(httpClient, ...)</c> or raw calls. The caller disposes it.
    /// </summary>
    /// <returns>The client.</returns>
    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = ApiBaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    /// <summary>The live (not deleted) projects, as <c>GET /projects/{id}</c> would return them (copies).</summary>
    /// <param name="cancellationToken">A token that cancels the wait for the fake's state.</param>
    /// <returns>The projects in creation order.</returns>
    public Task<IReadOnlyList<Project>> GetProjectsAsync(CancellationToken cancellationToken = default) =>
        _neon.SnapshotProjectsAsync(cancellationToken);

    /// <summary>
    /// Sets a project's usage counters for the current period. When a counter reaches its non-zero quota, the
    /// project's computes are suspended (endpoints idle, start answers 423, real connections refused and open ones
    /// terminated) until the quota is raised or set to 0 through <c>PATCH /projects/{id}</c>, or usage drops.
    /// </summary>
    /// <param name="projectId">The project.</param>
    /// <param name="usage">The counters to set; null counters stay as they are.</param>
    /// <param name="cancellationToken">A token that cancels the change.</param>
    /// <returns>A task that completes when the counters, and any suspension, are applied.</returns>
    /// <exception cref="ArgumentException">The fake has no live project <paramref name="projectId"/>.</exception>
    public Task SetUsageAsync(string projectId, NeonFakeUsage usage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentNullException.ThrowIfNull(usage);
        return _neon.SetUsageAsync(projectId, usage, cancellationToken);
    }

    /// <summary>Records consumption that <c>GET /consumption_history/v2/projects</c> reports in the timeframe holding <paramref name="timestamp"/>.</summary>
    /// <param name="projectId">The project.</param>
    /// <param name="timestamp">When it was consumed.</param>
    /// <param name="metric">The metric, e.g. <c>compute_unit_seconds</c>.</param>
    /// <param name="value">The amount.</param>
    /// <param name="cancellationToken">A token that cancels the change.</param>
    /// <returns>A task that completes when it is recorded.</returns>
    /// <exception cref="ArgumentException">The fake has no live project <paramref name="projectId"/>, or <paramref name="metric"/> is empty.</exception>
    public Task AddConsumptionAsync(string projectId, DateTimeOffset timestamp, string metric, long value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentException.ThrowIfNullOrEmpty(metric);
        return _neon.AddConsumptionAsync(projectId, timestamp, metric, value, cancellationToken);
    }

    /// <summary>
    /// Starts an operation on a project as if someone outside the SDK had (the Neon console, another tool, an abandoned
    /// call): it runs for <paramref name="duration"/> on the fake's clock, and until it ends every mutation of the
    /// project answers 423, as Neon does.
    /// </summary>
    /// <param name="projectId">The project.</param>
    /// <param name="duration">How long the operation runs (<c>scheduling</c> for the first half, <c>running</c> for the second).</param>
    /// <param name="failWith">When set, the operation ends <c>failed</c> with this error; otherwise <c>finished</c>.</param>
    /// <param name="cancellationToken">A token that cancels the wait for the fake's state.</param>
    /// <returns>The operation's id.</returns>
    /// <exception cref="ArgumentException">The fake has no live project <paramref name="projectId"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    public Task<string> StartOperationAsync(string projectId, TimeSpan duration, string? failWith = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        return _neon.StartOperationAsync(projectId, duration, failWith, cancellationToken);
    }

    /// <summary>The PostgreSQL database behind a fake database of a project's default branch, or null without PostgreSQL.</summary>
    /// <param name="projectId">The project.</param>
    /// <param name="databaseName">The database name as the API knows it, e.g. <c>neondb</c>.</param>
    /// <param name="cancellationToken">A token that cancels the wait for the fake's state.</param>
    /// <returns>The real database name, or null.</returns>
    /// <exception cref="ArgumentException">The fake has no live project <paramref name="projectId"/>.</exception>
    public Task<string?> GetPostgresDatabaseNameAsync(string projectId, string databaseName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentException.ThrowIfNullOrEmpty(databaseName);
        return _neon.RealDatabaseNameAsync(projectId, databaseName, cancellationToken);
    }

    /// <summary>Stops the server and drops every PostgreSQL database and role the fake created.</summary>
    /// <returns>A task that completes when everything is cleaned up.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _server.Stop();
        _server.Dispose();
        await _neon.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ResponseMessage?> HandleAsync(HttpContext context, IRequestMessage message)
    {
        var now = _options.TimeProvider.GetUtcNow();
        var requestId = message.Headers is not null && message.Headers.TryGetValue("X-Request-ID", out var ids) && ids.Count > 0 && !string.IsNullOrEmpty(ids[0])
            ? ids[0]
            : Guid.NewGuid().ToString();
        var method = message.Method.ToUpperInvariant();
        var path = message.AbsolutePath.StartsWith(ApiPrefix, StringComparison.Ordinal) ? message.AbsolutePath[ApiPrefix.Length..].TrimEnd('/') : null;
        var query = (message.Query ?? new Dictionary<string, WireMockList<string>>()).ToDictionary(q => q.Key, q => q.Value.ToArray(), StringComparer.Ordinal);
        var request = new FakeRequest { Method = method, Path = path ?? "", Query = query, Body = message.Body, RequestId = requestId };
        var pathAndQuery = (path ?? message.AbsolutePath) + (string.IsNullOrEmpty(message.RawQuery) ? "" : message.RawQuery.StartsWith('?') ? message.RawQuery : "?" + message.RawQuery);

        string? route = null;
        FakeResponse response;
        if (path is null)
        {
            response = FakeResponse.Error(404, "", "not found", requestId);
        }
        else
        {
            var match = _neon.Router.Match(request, out var pathExists);
            route = match is null ? null : method + " " + match.Value.Template;
            if (route is not null)
            {
                _callsPerRoute.AddOrUpdate(route, 1, (_, n) => n + 1);
            }

            var authorization = message.Headers is not null && message.Headers.TryGetValue("Authorization", out var auth) && auth.Count > 0 ? auth[0] : null;
            var fault = Faults.Take(method, path, match?.Template);
            if (fault is { Kind: NeonFaultKind.Latency })
            {
                await Task.Delay(fault.Delay).ConfigureAwait(false);
            }

            if (!string.Equals(authorization, "Bearer " + _options.ApiKey, StringComparison.Ordinal))
            {
                response = FakeResponse.Error(401, "", "authorization failed: missing or invalid API key", requestId);
            }
            else if (fault is { Kind: NeonFaultKind.DropConnection })
            {
                Log(method, pathAndQuery, route, 0, requestId, now);
                context.Abort();
                return null;
            }
            else if (fault is { Kind: NeonFaultKind.Status })
            {
                response = FakeResponse.Error(fault.StatusCode, fault.Code, fault.Message, requestId);
                if (fault.StatusCode == 429 && fault.Delay > TimeSpan.Zero)
                {
                    response.Headers.Add(new("Retry-After", Seconds(fault.Delay)));
                }
            }
            else if (match is null)
            {
                response = FakeResponse.Error(pathExists ? 405 : 404, "", pathExists ? "method not allowed" : "not found", requestId);
            }
            else if (_options.EnforceRateLimits && _rateBudget.TryAcquire(route!, path.StartsWith("consumption_history", StringComparison.Ordinal)) is { } wait)
            {
                response = FakeResponse.Error(429, "", "rate limit exceeded", requestId);
                response.Headers.Add(new("Retry-After", Seconds(wait)));
            }
            else
            {
                if (route == "POST projects" && _options.ProjectCreationLatency > TimeSpan.Zero)
                {
                    // Before the gate, as fault latency: concurrent creates overlap instead of queueing behind each other.
                    await Latency.WaitAsync(_options.ProjectCreationLatency, context.RequestAborted).ConfigureAwait(false);
                }

                var failure = fault is { Kind: NeonFaultKind.FailOperation } ? fault.Message : null;
                response = await _neon.HandleAsync(match.Value.Handler, request, failure, context.RequestAborted).ConfigureAwait(false);
            }
        }

        Log(method, pathAndQuery, route, response.StatusCode, requestId, now);
        var result = new ResponseMessage { StatusCode = response.StatusCode };
        result.AddHeader("Content-Type", "application/json");
        result.AddHeader("X-Request-ID", requestId);
        foreach (var header in response.Headers)
        {
            result.AddHeader(header.Key, header.Value);
        }

        if (response.Body is not null)
        {
            result.BodyData = new BodyData { BodyAsBytes = response.Body, DetectedBodyType = BodyType.Bytes };
        }

        return result;
    }

    private void Log(string method, string path, string? route, int status, string requestId, DateTimeOffset now) =>
        _requestLog.Enqueue(new NeonFakeRequest(method, path, route, status, requestId, now));

    private static string Seconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private sealed class Provider(NeonFakeServer owner) : IResponseProvider
    {
        public async Task<(IResponseMessage Message, IMapping? Mapping)> ProvideResponseAsync(IMapping mapping, HttpContext context,
            IRequestMessage requestMessage, WireMockServerSettings settings)
        {
            ResponseMessage? message;
            try
            {
                message = await owner.HandleAsync(context, requestMessage).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                message = new ResponseMessage { StatusCode = 500 };
                message.AddHeader("Content-Type", "application/json");
                var body = FakeResponse.Error(500, "FAKE_INTERNAL_ERROR", "the fake failed: " + ex.Message, Guid.NewGuid().ToString()).Body!;
                message.BodyData = new BodyData { BodyAsBytes = body, DetectedBodyType = BodyType.Bytes };
            }

            return (message ?? new ResponseMessage { StatusCode = 499 }, null);
        }
    }
}
