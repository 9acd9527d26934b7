using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Options of <see cref="ITenantConnectionFactory"/>, bound from the <c>NeonTenancy:Connections</c> configuration
/// section and validated at start (a bad value fails the host start with a message naming the setting).
/// </summary>
public sealed class TenantConnectionOptions
{
    // Each range is declared once, here, and checked by the generated TenantConnectionOptionsValidator; the rules
    // across settings are in TenantConnectionOptionsCrossFieldValidator. TimeSpan bounds read as configuration is written.
    private const string Path = NeonTenancySections.ConnectionsPath + ":";

    /// <summary>
    /// Which role connections use: the tenant's least-privilege application role when it has one, else the owner
    /// (<see cref="TenantConnectionRole.Automatic"/>, the default), or always one of them.
    /// </summary>
    [EnumDataType(typeof(TenantConnectionRole), ErrorMessage = Path + "ConnectionRole must be Automatic, Owner or Application.")]
    public TenantConnectionRole ConnectionRole { get; set; } = TenantConnectionRole.Automatic;

    /// <summary>How many data sources (tenant and kind pairs) the cache holds at most. Default 1,000; 3 to 1,000,000.</summary>
    [NumberRange(3, 1_000_000, ErrorMessage = Path + "Capacity must be between {1} and {2}.")]
    public int Capacity { get; set; } = 1000;

    /// <summary>A data source not used for this long leaves the cache (and is disposed). Default 10 minutes; 1 second to 1 day.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00", ErrorMessage = Path + "IdleExpiry must be between {1} and {2}.")]
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most physical connections open at once across all tenants (busy plus idle in pools) through this factory,
    /// or <c>0</c> for no global budget. Default 200; 0 to 100,000.
    /// </summary>
    /// <remarks>
    /// <para>With a budget, a slot covering only an idle pooled connection is taken back (closing it) when another open
    /// needs it; when every slot covers a connection in use, callers wait up to <see cref="BudgetWaitTimeout"/>.
    /// Connections opened directly on a data source from <see cref="ITenantConnectionFactory.GetDataSourceAsync"/> are
    /// outside it. Keeping it exact costs a reference count and a close notification per open (about 100 ns).</para>
    /// <para>With <c>0</c> (off) an open on a cache hit is the lookup and Npgsql's own open, nothing else: the factory
    /// does not count connections, so each tenant's pool is bounded by its <see cref="MaxPoolSize"/> (or its plan's)
    /// and nothing bounds the sum; an evicted data source is disposed at once (connections already open on it keep
    /// working until closed), and a broken connection does not make the factory close the tenant's other idle
    /// connections (each is found dead by its first command). Cold-start retry, the authentication reload and idle
    /// expiry work as with a budget.</para>
    /// </remarks>
    [NumberRange(0, 100_000, ErrorMessage = Path + "ConnectionBudget must be between {1} and {2}.")]
    public int ConnectionBudget { get; set; } = 200;

    /// <summary>How long a caller waits for the connection budget before <see cref="TenantConnectionBudgetExceededException"/>. Default 5 seconds; 0 to 5 minutes.</summary>
    [TimeSpanRange("00:00:00", "00:05:00", ErrorMessage = Path + "BudgetWaitTimeout must be between {1} and {2}.")]
    public TimeSpan BudgetWaitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Maximum pool size of each tenant's data source (Npgsql <c>Maximum Pool Size</c>). Default 20; 1 to 1,000.</summary>
    [NumberRange(1, 1000, ErrorMessage = Path + "MaxPoolSize must be between {1} and {2}.")]
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Timeout of one connection attempt (Npgsql <c>Timeout</c>), whole seconds. Default 10 seconds; 1 second to 10 minutes.</summary>
    [TimeSpanRange("00:00:01", "00:10:00", ErrorMessage = Path + "ConnectTimeout must be between {1} and {2}.")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The tenants' compute suspend timeout (Neon's <c>suspend_timeout_seconds</c>; Neon's default is 5 minutes).
    /// Idle pooled connections are closed well before it, so none is left to be killed by a suspend. Default 5 minutes; 10 seconds to 7 days.
    /// </summary>
    [TimeSpanRange("00:00:10", "7.00:00:00", ErrorMessage = Path + "SuspendTimeout must be between {1} and {2}.")]
    public TimeSpan SuspendTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an idle physical connection stays in a pool (Npgsql <c>Connection Idle Lifetime</c>, whole seconds; pruned
    /// every <c>min(10 s, this)</c>). Must be shorter than <see cref="SuspendTimeout"/> minus the pruning interval. Default 30 seconds; 1 second to 1 day.
    /// </summary>
    [TimeSpanRange("00:00:01", "1.00:00:00", ErrorMessage = Path + "ConnectionIdleLifetime must be between {1} and {2}.")]
    public TimeSpan ConnectionIdleLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an open may keep retrying transient failures (connection refused or dropped, 57P01, 57P03, 08xxx,
    /// "Couldn't connect to compute node") on a warm tenant. Default 30 seconds; 0 to 1 hour.
    /// </summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = Path + "OpenDeadline must be between {1} and {2}.")]
    public TimeSpan OpenDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The deadline of the first open of a new data source, or of one unused for longer than <see cref="SuspendTimeout"/>:
    /// its compute may be waking from scale-to-zero, or Neon may be restoring an archived branch. Default 2 minutes; 0 to 1 hour, at least <see cref="OpenDeadline"/>.
    /// </summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = Path + "FirstOpenDeadline must be between {1} and {2}.")]
    public TimeSpan FirstOpenDeadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A first open slower than this is logged (information) as a cold start or restore, not treated as a failure. Default 2 seconds; 0 to 1 hour.</summary>
    [TimeSpanRange("00:00:00", "01:00:00", ErrorMessage = Path + "SlowOpenThreshold must be between {1} and {2}.")]
    public TimeSpan SlowOpenThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first delay between retries of a transient open failure; grows exponentially with jitter up to <see cref="RetryMaxDelay"/>. Default 100 ms; 1 ms to 1 minute.</summary>
    [TimeSpanRange("00:00:00.001", "00:01:00", ErrorMessage = Path + "RetryBaseDelay must be between {1} and {2}.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between retries. Default 2 seconds; 1 ms to 5 minutes, at least <see cref="RetryBaseDelay"/>.</summary>
    [TimeSpanRange("00:00:00.001", "00:05:00", ErrorMessage = Path + "RetryMaxDelay must be between {1} and {2}.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a data source handed out by <see cref="ITenantConnectionFactory.GetDataSourceAsync"/> stays usable after
    /// it was last handed out, when it is evicted meanwhile (it holds no budget slot meanwhile). Default 5 minutes; 0 to 1 day.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00", ErrorMessage = Path + "RetiredDataSourceGracePeriod must be between {1} and {2}.")]
    public TimeSpan RetiredDataSourceGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Configures every data source the factory builds, pooled and direct, for every tenant, again on every rebuild
    /// (after an eviction or a catalog change): for example type plugins (<c>UseVector()</c>, <c>UseNodaTime()</c>),
    /// JSON options (<c>ConfigureJsonOptions</c>) or <c>application_name</c>. Runs after the
    /// SDK's settings, so it has the last word; keep the pool settings the SDK chose (<c>Pooling</c>,
    /// <c>No Reset On Close</c> for PgBouncer, <c>Connection Idle Lifetime</c>) unless you know why. The builder's
    /// connection string carries the tenant's password: never log it. Not configuration (set it in code, for example
    /// with <c>ConfigureConnections</c>); combine several with <c>+=</c>. Default none.
    /// </summary>
    public Action<TenantId, NpgsqlDataSourceBuilder>? ConfigureDataSource { get; set; }
}
