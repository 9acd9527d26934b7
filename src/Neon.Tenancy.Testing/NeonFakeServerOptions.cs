namespace Neon.Tenancy.Testing;

/// <summary>How a <see cref="NeonFakeServer"/> behaves. Every default mirrors Neon where Neon has one.</summary>
public sealed class NeonFakeServerOptions
{
    /// <summary>The API key the fake accepts as <c>Authorization: Bearer ...</c>; any other answers 401. Default: <c>neon-fake-api-key</c>.</summary>
    public string ApiKey { get; set; } = "neon-fake-api-key";

    /// <summary>
    /// The clock of the fake: operation progress, timestamps, recovery windows, rate budgets and consumption windows.
    /// Pass a <c>FakeTimeProvider</c> to drive operations by advancing time. Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// How long an operation takes: <c>scheduling</c> for the first half, <c>running</c> for the second, then
    /// <c>finished</c>. <see cref="TimeSpan.Zero"/> makes every operation finished at once. Default: 500 ms.
    /// </summary>
    public TimeSpan OperationDuration { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// An admin (superuser) Npgsql connection string to a local PostgreSQL. When set, every fake project becomes a real
    /// database owned by a real login role, and the connection URIs the fake returns really connect. When null the fake
    /// is a pure API fake. Default: null.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>The organization id of the fake account; projects carry it as <c>org_id</c>. Default: <c>org-fake-00000001</c>.</summary>
    public string OrgId { get; set; } = "org-fake-00000001";

    /// <summary>
    /// Behave like an account in an organization with a personal API key: project list and create answer 400
    /// "org_id is required" unless <c>org_id</c> is given. Default: false.
    /// </summary>
    public bool RequireOrgId { get; set; }

    /// <summary>How long a deleted project can be recovered. Default: 7 days, as Neon.</summary>
    public TimeSpan RecoveryWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Enforce Neon's rate budget (answer 429 with <c>Retry-After</c> when exceeded). Default: false.</summary>
    public bool EnforceRateLimits { get; set; }

    /// <summary>Requests per minute per account when <see cref="EnforceRateLimits"/> is set. Default: 700, as Neon.</summary>
    public int RequestsPerMinute { get; set; } = 700;

    /// <summary>
    /// When set (and <see cref="EnforceRateLimits"/> is), the account budget is a token bucket holding at most this many
    /// requests and refilled continuously at <see cref="RequestsPerMinute"/>, as Neon's limiter behaves: a burst beyond
    /// it answers 429 with <c>Retry-After</c> even when the minute's count is below the limit. When null, the account
    /// budget is a sliding window of one minute. Default: null.
    /// </summary>
    public int? AccountBucketCapacity { get; set; }

    /// <summary>Requests per second per route when <see cref="EnforceRateLimits"/> is set. Default: 40, as Neon.</summary>
    public int RequestsPerSecondPerRoute { get; set; } = 40;

    /// <summary>Consumption history requests per minute when <see cref="EnforceRateLimits"/> is set. Default: 50, as Neon.</summary>
    public int ConsumptionRequestsPerMinute { get; set; } = 50;

    /// <summary>The region new projects get when the request names none. Default: <c>aws-us-east-2</c>.</summary>
    public string DefaultRegion { get; set; } = "aws-us-east-2";

    /// <summary>
    /// How many manual snapshots a project may hold. Creating one more answers 422 with code
    /// <c>SNAPSHOTS_LIMIT_EXCEEDED</c>. Neon's limit depends on the plan (1 on Free; 10 or 100 on paid plans, as its
    /// documents disagree); 0 refuses every snapshot. Default: 10.
    /// </summary>
    public int ManualSnapshotLimit { get; set; } = 10;

    /// <summary>
    /// How long <c>POST /projects</c> takes to answer (real time, outside the fake's request gate, so concurrent creates
    /// overlap as on Neon, where creation typically takes under a second). <see cref="TimeSpan.Zero"/> answers at once.
    /// Default: <see cref="TimeSpan.Zero"/>.
    /// </summary>
    public TimeSpan ProjectCreationLatency { get; set; }

    /// <summary>
    /// A cold start, with <see cref="PostgresConnectionString"/> set: the first connection to a compute that is not
    /// running waits this long (real time) before it reaches PostgreSQL; Neon plans 1-2 s. A new project's compute has
    /// not started yet; a suspended one (<c>POST .../suspend</c>, a quota suspension, a finalized restore) sleeps. Concurrent
    /// first connections share one start; afterwards the endpoint is <c>active</c> with <c>last_active</c> set, until
    /// it is suspended again. <c>POST .../start</c> (and <c>restart</c>) leave it running. When above zero, the connection URIs the fake returns point at a loopback proxy, one port
    /// per endpoint, that pipes bytes to the real server. <see cref="TimeSpan.Zero"/>: no proxy, URIs name the real
    /// server. Default: <see cref="TimeSpan.Zero"/>.
    /// </summary>
    public TimeSpan ComputeStartLatency { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ApiKey, nameof(ApiKey));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentOutOfRangeException.ThrowIfLessThan(OperationDuration, TimeSpan.Zero, nameof(OperationDuration));
        ArgumentException.ThrowIfNullOrWhiteSpace(OrgId, nameof(OrgId));
        ArgumentOutOfRangeException.ThrowIfLessThan(RecoveryWindow, TimeSpan.Zero, nameof(RecoveryWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestsPerMinute, 1, nameof(RequestsPerMinute));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestsPerSecondPerRoute, 1, nameof(RequestsPerSecondPerRoute));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConsumptionRequestsPerMinute, 1, nameof(ConsumptionRequestsPerMinute));
        if (AccountBucketCapacity is { } capacity)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(AccountBucketCapacity));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ManualSnapshotLimit, nameof(ManualSnapshotLimit));
        ArgumentException.ThrowIfNullOrWhiteSpace(DefaultRegion, nameof(DefaultRegion));
        ArgumentOutOfRangeException.ThrowIfLessThan(ProjectCreationLatency, TimeSpan.Zero, nameof(ProjectCreationLatency));
        ArgumentOutOfRangeException.ThrowIfLessThan(ComputeStartLatency, TimeSpan.Zero, nameof(ComputeStartLatency));
    }
}
