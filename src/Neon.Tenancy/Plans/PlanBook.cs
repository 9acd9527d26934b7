using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The configured plans turned into the settings sent to Neon, computed once from validated
/// <see cref="TenantPlanOptions"/>. Shared by <see cref="PlanLimits"/>, the provider (settings in the create call) and
/// the connection layer (pool size, idle lifetime); it depends on nothing else, so none of them depend on each other.
/// A tenant's own settings (<see cref="TenantRecord.Settings"/>) win over its plan's: <see cref="GetRecordedSettings(TenantRecord)"/>.
/// </summary>
/// <remarks>
/// With no plan configured at all, plans are labels only: every plan name resolves to empty settings (Neon's defaults,
/// no quota), which is how the SDK behaved before plans existed.
/// </remarks>
internal sealed class PlanBook
{
    private static readonly TenantPlanSettings Unmanaged = new();
    private readonly FrozenDictionary<string, TenantPlanSettings> _settings;
    private readonly FrozenDictionary<string, CheckpointRetention> _retention;

    public PlanBook(IOptions<TenantPlanOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        DefaultPlan = value.DefaultPlan;
        _settings = value.Plans.ToFrozenDictionary(p => p.Key, p => ToSettings(p.Value), StringComparer.OrdinalIgnoreCase);
        _retention = value.Plans.ToFrozenDictionary(p => p.Key, p => CheckpointRetention.Of(p.Value), StringComparer.OrdinalIgnoreCase);
        PlanNames = [.. _settings.Keys.Order(StringComparer.OrdinalIgnoreCase)];
        HasCheckpointSchedule = _retention.Values.Any(r => r.Interval is not null);
    }

    public string DefaultPlan { get; }

    public IReadOnlyCollection<string> PlanNames { get; }

    /// <summary>Whether any plan is configured (otherwise plans are labels only).</summary>
    public bool HasPlans => _settings.Count > 0;

    /// <summary>Whether any plan has a <see cref="TenantPlan.CheckpointInterval"/> (otherwise the checkpoint scheduler does nothing).</summary>
    public bool HasCheckpointSchedule { get; }

    /// <exception cref="UnknownPlanException">Plans are configured and none has this name.</exception>
    public TenantPlanSettings GetSettings(string plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!HasPlans)
        {
            return Unmanaged;
        }

        return _settings.TryGetValue(plan, out var settings) ? settings : throw new UnknownPlanException(plan);
    }

    /// <summary>The settings of a plan recorded in the catalog: a name no longer configured falls back to the default plan.</summary>
    public TenantPlanSettings GetRecordedSettings(string plan) =>
        !HasPlans ? Unmanaged : _settings.TryGetValue(plan, out var settings) ? settings : _settings[DefaultPlan];

    /// <summary>
    /// The settings a tenant carries: its own (<see cref="TenantRecord.Settings"/>, given at provisioning), else its
    /// recorded plan's (<see cref="GetRecordedSettings(string)"/>). Every reader of a tenant's settings (drift,
    /// suspension, resumption, the connection layer's pool size) asks here.
    /// </summary>
    public TenantPlanSettings GetRecordedSettings(TenantRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Settings ?? GetRecordedSettings(record.Plan);
    }

    /// <summary>
    /// How many checkpoints, and for how long, a tenant on <paramref name="plan"/> keeps, and how often the scheduler
    /// takes one (client side; a plan no longer configured falls back to the default plan; no plans: no limits of the
    /// SDK's and no schedule).
    /// </summary>
    public CheckpointRetention GetCheckpointRetention(string plan) =>
        !HasPlans ? CheckpointRetention.Unlimited : _retention.TryGetValue(plan, out var retention) ? retention : _retention[DefaultPlan];

    /// <summary>A plan in user units to Neon's units (GB = 10^9 bytes, hours = 3600 s; compute hours are CU-hours).</summary>
    internal static TenantPlanSettings ToSettings(TenantPlan plan) => new()
    {
        ComputeTimeSecondsQuota = plan.ComputeHours is { } compute ? NeonUnits.HoursToSeconds(compute) : null,
        ActiveTimeSecondsQuota = plan.ActiveHours is { } active ? NeonUnits.HoursToSeconds(active) : null,
        WrittenDataBytesQuota = plan.WrittenGB is { } written ? NeonUnits.GBToBytes(written) : null,
        DataTransferBytesQuota = plan.TransferGB is { } transfer ? NeonUnits.GBToBytes(transfer) : null,
        LogicalSizeBytesQuota = plan.StorageGB is { } storage ? NeonUnits.GBToBytes(storage) : null,
        AutoscalingMinCu = plan.MinComputeUnits,
        AutoscalingMaxCu = plan.MaxComputeUnits,
        SuspendTimeout = plan.SuspendTimeout,
        HistoryRetention = plan.HistoryRetention,
        MaxPoolSize = plan.MaxPoolSize,
    };
}
