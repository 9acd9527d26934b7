using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>One pool: sign-ups of a region (<c>""</c> = without one) and a plan class.</summary>
internal readonly record struct WarmPoolKey(string Region, string PlanClass)
{
    /// <summary>The region as the public status shows it (<see langword="null"/> = sign-ups without a region).</summary>
    public string? PublicRegion => Region.Length == 0 ? null : Region;
}

/// <summary>
/// Which pools exist and which sign-ups they serve, from <see cref="WarmPoolOptions"/> and the plans: the pool plans
/// grouped into classes by compute settings (autoscaling limits, suspend timeout), each named after its first plan
/// (in <see cref="WarmPoolOptions.Plans"/>' order, else by name), times the configured regions. The claim and the
/// replenisher read the same layout, so they agree on what fits where.
/// </summary>
internal sealed class WarmPoolLayout
{
    private readonly Dictionary<string, string> _classOfPlan = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TenantPlanSettings?> _settingsOfClass = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sizeOfRegion = new(StringComparer.Ordinal);
    private readonly bool _everyPlan;

    public WarmPoolLayout(IOptions<WarmPoolOptions> options, PlanBook? plans = null)
    {
        var value = options.Value;
        Enabled = value.Enabled;
        if (value.Size > 0)
        {
            _sizeOfRegion[string.Empty] = value.Size;
        }

        foreach (var (region, size) in value.Regions)
        {
            if (size > 0)
            {
                _sizeOfRegion[region] = size;
            }
        }

        if (plans is null || !plans.HasPlans)
        {
            // Plans are labels only: one class, every sign-up fits, projects created with Neon's defaults.
            _everyPlan = true;
            _settingsOfClass[string.Empty] = null;
        }
        else
        {
            var pooled = value.Plans.Count > 0 ? value.Plans : plans.PlanNames.ToList();
            var classOfCompute = new Dictionary<(double?, double?, TimeSpan?), string>();
            foreach (var plan in pooled)
            {
                var settings = plans.GetSettings(plan); // unknown plans are refused at start by the options' rules
                var compute = (settings.AutoscalingMinCu, settings.AutoscalingMaxCu, settings.SuspendTimeout);
                if (!classOfCompute.TryGetValue(compute, out var planClass))
                {
                    planClass = plan.ToLowerInvariant();
                    classOfCompute[compute] = planClass;
                    _settingsOfClass[planClass] = settings;
                }

                _classOfPlan[plan] = planClass;
            }
        }

        Pools = [.. _sizeOfRegion.Keys.Order(StringComparer.Ordinal)
            .SelectMany(region => _settingsOfClass.Keys.Order(StringComparer.Ordinal).Select(planClass => new WarmPoolKey(region, planClass)))];
    }

    /// <summary>Whether any pool has a size.</summary>
    public bool Enabled { get; }

    /// <summary>Every configured pool (region times plan class), in a stable order.</summary>
    public IReadOnlyList<WarmPoolKey> Pools { get; }

    /// <summary>How many ready projects a pool should hold (0 for one no longer configured).</summary>
    public int SizeOf(WarmPoolKey pool) =>
        _settingsOfClass.ContainsKey(pool.PlanClass) && _sizeOfRegion.TryGetValue(pool.Region, out var size) ? size : 0;

    /// <summary>The settings a pool project of a class is created with (its first plan's); <see langword="null"/> without plans.</summary>
    public TenantPlanSettings? SettingsOf(string planClass) => _settingsOfClass.GetValueOrDefault(planClass);

    /// <summary>
    /// The pool a sign-up claims from, or why none fits (a metric's reason): a request with its own settings, names,
    /// Postgres version, a plan or a region the pool does not serve goes the cold path.
    /// </summary>
    public (WarmPoolKey Pool, string? Miss) Fit(TenantProvisionRequest request, TenantProvisioningOptions provisioning)
    {
        if (request.Settings is not null)
        {
            return (default, "own_settings");
        }

        if ((request.DatabaseName is { } database && !string.Equals(database, provisioning.DefaultDatabaseName, StringComparison.Ordinal))
            || (request.RoleName is { } role && !string.Equals(role, provisioning.DefaultRoleName, StringComparison.Ordinal)))
        {
            return (default, "names");
        }

        if (request.PostgresVersion is not null)
        {
            return (default, "postgres_version");
        }

        string planClass;
        if (_everyPlan)
        {
            planClass = string.Empty;
        }
        else if (!_classOfPlan.TryGetValue(request.Plan, out planClass!))
        {
            return (default, "plan");
        }

        var pool = new WarmPoolKey(request.Region ?? string.Empty, planClass);
        return SizeOf(pool) > 0 ? (pool, null) : (default, "region");
    }
}
