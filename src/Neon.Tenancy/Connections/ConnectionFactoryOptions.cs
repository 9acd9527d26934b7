namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="ITenantConnectionFactory"/>, bound from the <c>NeonTenancy:Connections</c> configuration
/// section and validated at start (a bad value fails the host start with a message naming the setting).
/// </summary>
public sealed class ConnectionFactoryOptions
{
    /// <summary>The sub-section of <c>NeonTenancy</c> holding these options: <c>Connections</c>.</summary>
    public const string SectionName = "Connections";

    /// <summary>
    /// Which role connections use: the tenant's least-privilege application role when it has one, else the owner
    /// (<see cref="TenantConnectionRole.Automatic"/>, the default), or always one of them.
    /// </summary>
    public TenantConnectionRole ConnectionRole { get; set; } = TenantConnectionRole.Automatic;

    /// <summary>How many data sources (tenant and kind pairs) the cache holds at most. Default 1,000; 3 to 1,000,000.</summary>
    public int Capacity { get; set; } = 1000;

    /// <summary>A data source not used for this long leaves the cache (and is disposed). Default 10 minutes; 1 second to 1 day.</summary>
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most physical connections open at once across all tenants (busy plus idle in pools) through this factory.
    /// A slot covering only an idle pooled connection is taken back (closing it) when another open needs it; when every
    /// slot covers a connection in use, callers wait up to <see cref="BudgetWaitTimeout"/>. Connections opened directly
    /// on a data source from <see cref="ITenantConnectionFactory.GetDataSourceAsync"/> are outside it. Default 200; 1 to 100,000.
    /// </summary>
    public int ConnectionBudget { get; set; } = 200;

    /// <summary>How long a caller waits for the connection budget before <see cref="TenantConnectionBudgetExceededException"/>. Default 5 seconds; 0 to 5 minutes.</summary>
    public TimeSpan BudgetWaitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Maximum pool size of each tenant's data source (Npgsql <c>Maximum Pool Size</c>). Default 20; 1 to 1,000.</summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Timeout of one connection attempt (Npgsql <c>Timeout</c>), whole seconds. Default 10 seconds; 1 second to 10 minutes.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The tenants' compute suspend timeout (Neon's <c>suspend_timeout_seconds</c>; Neon's default is 5 minutes).
    /// Idle pooled connections are closed well before it, so none is left to be killed by a suspend. Default 5 minutes.
    /// </summary>
    public TimeSpan SuspendTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an idle physical connection stays in a pool (Npgsql <c>Connection Idle Lifetime</c>, whole seconds; pruned
    /// every <c>min(10 s, this)</c>). Must be shorter than <see cref="SuspendTimeout"/> minus the pruning interval. Default 30 seconds.
    /// </summary>
    public TimeSpan ConnectionIdleLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an open may keep retrying transient failures (connection refused or dropped, 57P01, 57P03, 08xxx,
    /// "Couldn't connect to compute node") on a warm tenant. Default 30 seconds.
    /// </summary>
    public TimeSpan OpenDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The deadline of the first open of a new data source, or of one unused for longer than <see cref="SuspendTimeout"/>:
    /// its compute may be waking from scale-to-zero, or Neon may be restoring an archived branch. Default 2 minutes.
    /// </summary>
    public TimeSpan FirstOpenDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A first open slower than this is logged (information) as a cold start or restore, not treated as a failure. Default 2 seconds.</summary>
    public TimeSpan SlowOpenThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first delay between retries of a transient open failure; grows exponentially with jitter up to <see cref="RetryMaxDelay"/>. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between retries. Default 2 seconds.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a data source handed out by <see cref="ITenantConnectionFactory.GetDataSourceAsync"/> stays usable after
    /// it was last handed out, when it is evicted meanwhile (it holds no budget slot meanwhile). Default 5 minutes.
    /// </summary>
    public TimeSpan RetiredDataSourceGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The settings of a tenant's plan by plan name (set by <c>AddNeonTenancy</c> from the configured plans): their
    /// <see cref="TenantPlanSettings.MaxPoolSize"/> and <see cref="TenantPlanSettings.SuspendTimeout"/> tune the tenant's
    /// pool. Not configuration.
    /// </summary>
    internal Func<string, TenantPlanSettings>? PlanSettings { get; set; }
}
