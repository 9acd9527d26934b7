using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Runs <see cref="ITenantWarmPool.ReplenishAsync"/> with the host: a first pass <see cref="FirstPassDelay"/> after start,
/// then one every <see cref="WarmPoolOptions.ReplenishInterval"/> (counted from the previous pass's start; passes never
/// overlap). Every instance runs one; the pass's lease lets one at a time work. Idle when the pool is off.
/// </summary>
internal sealed class WarmPoolReplenisher : BackgroundService
{
    /// <summary>How long after start the first pass runs (the host has finished starting; at most one interval).</summary>
    internal static readonly TimeSpan FirstPassDelay = TimeSpan.FromSeconds(1);

    private readonly Lazy<ITenantWarmPool> _pool;
    private readonly bool _enabled;
    private readonly int _pools;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeriodicTicks<WarmPoolReplenishResult?> _passes;
    private DateTimeOffset _firstPass;

    /// <summary>
    /// The host's constructor. The pool is resolved at the first pass, not here: the host builds every hosted service
    /// before any starts, and a host with no catalog must fail with <see cref="NeonTenancyHostedService"/>'s instructions.
    /// </summary>
    public WarmPoolReplenisher(IServiceProvider services, WarmPoolLayout layout, IOptions<WarmPoolOptions> options, TimeProvider timeProvider,
        ILogger<WarmPoolReplenisher>? logger = null)
        : this(new Lazy<ITenantWarmPool>(services.GetRequiredService<ITenantWarmPool>), layout, options, timeProvider, logger)
    {
    }

    /// <summary>A replenisher over a given pool (tests).</summary>
    internal WarmPoolReplenisher(Lazy<ITenantWarmPool> pool, WarmPoolLayout layout, IOptions<WarmPoolOptions> options, TimeProvider timeProvider,
        ILogger<WarmPoolReplenisher>? logger = null)
    {
        _pool = pool;
        _enabled = layout.Enabled;
        _pools = layout.Pools.Count;
        _interval = options.Value.ReplenishInterval;
        _time = timeProvider;
        _passes = new PeriodicTicks<WarmPoolReplenishResult?>(timeProvider, _interval);
        _logger = logger ?? NullLogger<WarmPoolReplenisher>.Instance;
    }

    /// <summary>Completes when the loop's next pass ends: what it did, or <see langword="null"/> when it failed (tests that move a fake clock).</summary>
    internal Task<WarmPoolReplenishResult?> NextPass => _passes.Next;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Read here: ExecuteAsync runs on a thread of its own, later.
        _firstPass = _time.GetUtcNow() + (FirstPassDelay < _interval ? FirstPassDelay : _interval);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }

        WarmPoolLog.ReplenisherStarted(_logger, _interval, _pools);
        await _passes.RunAsync(_firstPass, async token => (WarmPoolReplenishResult?)await _pool.Value.ReplenishAsync(token).ConfigureAwait(false), error =>
        {
            WarmPoolLog.PassFailed(_logger, error, _interval);
            return null;
        }, stoppingToken).ConfigureAwait(false);
    }
}
