using System.Globalization;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// Validates <see cref="TenantPlanOptions"/> at start; every message names the setting
/// (<c>NeonTenancy:Plans:Plans:{name}:{Setting}</c>).
/// </summary>
/// <remarks>
/// Compute sizes follow Neon's documented rule: 0.25, 0.5 or a whole number of compute units up to 56. A fixed size
/// (minimum = maximum) may be any of them; an autoscaling range (minimum &lt; maximum) must stay within 16 CU and span
/// at most 8 CU.
/// </remarks>
internal sealed class TenantPlanOptionsValidator : IValidateOptions<TenantPlanOptions>
{
    internal const string Section = NeonTenancySections.PlansPath;
    internal const int MaxPlanNameLength = TenantRequestRules.MaxPlanNameLength;
    internal const double MaxFixedComputeUnits = 56;
    internal const double MaxAutoscalingComputeUnits = 16;
    internal const double MaxAutoscalingRange = 8;
    internal const int MaxPoolSizeLimit = 1000;
    internal const int MaxCheckpointsLimit = 1000;
    internal static readonly TimeSpan MinSuspendTimeout = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan MaxSuspendTimeout = TimeSpan.FromDays(7);
    internal static readonly TimeSpan MaxHistoryRetention = TimeSpan.FromDays(30);
    internal static readonly TimeSpan MinCheckpointInterval = TimeSpan.FromHours(1);

    // Upper bounds that keep the converted values far inside int64 (and far beyond any real plan).
    private const double MaxHours = 1e9;
    private const double MaxGB = 1e9;

    public ValidateOptionsResult Validate(string? name, TenantPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DefaultPlan))
        {
            failures.Add($"{Section}:DefaultPlan is required (the plan of tenants provisioned without one).");
        }
        else if (options.Plans.Count > 0 && !options.Plans.ContainsKey(options.DefaultPlan))
        {
            failures.Add($"{Section}:DefaultPlan '{options.DefaultPlan}' is not one of the plans in {Section}:Plans ({string.Join(", ", options.Plans.Keys.Order(StringComparer.OrdinalIgnoreCase))}).");
        }

        foreach (var (planName, plan) in options.Plans)
        {
            if (!IsValidName(planName))
            {
                failures.Add($"{Section}:Plans has a plan named '{planName}': a plan name is 1 to {MaxPlanNameLength} characters of letters, digits, '-', '_' and '.'.");
                continue;
            }

            var prefix = $"{Section}:Plans:{planName}";
            if (plan is null)
            {
                failures.Add($"{prefix} is empty.");
                continue;
            }

            ValidatePlan(prefix, plan, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsValidName(string name) => TenantRequestRules.PlanNameProblem(name) is null;

    /// <summary>Whether Neon accepts this compute size: 0.25, 0.5 or a whole number from 1 to 56.</summary>
    internal static bool IsComputeSize(double cu) =>
        cu is 0.25 or 0.5 || (cu >= 1 && cu <= MaxFixedComputeUnits && cu == Math.Floor(cu));

    private static void ValidatePlan(string prefix, TenantPlan plan, List<string> failures)
    {
        Quota(prefix, "ComputeHours", plan.ComputeHours, MaxHours, NeonUnits.HoursToSeconds, "CU-second", failures);
        Quota(prefix, "ActiveHours", plan.ActiveHours, MaxHours, NeonUnits.HoursToSeconds, "second", failures);
        Quota(prefix, "WrittenGB", plan.WrittenGB, MaxGB, NeonUnits.GBToBytes, "byte", failures);
        Quota(prefix, "TransferGB", plan.TransferGB, MaxGB, NeonUnits.GBToBytes, "byte", failures);
        Quota(prefix, "StorageGB", plan.StorageGB, MaxGB, NeonUnits.GBToBytes, "byte", failures);

        var computeOk = ComputeSize(prefix, "MinComputeUnits", plan.MinComputeUnits, failures)
            & ComputeSize(prefix, "MaxComputeUnits", plan.MaxComputeUnits, failures);
        if (plan.MinComputeUnits is null != plan.MaxComputeUnits is null)
        {
            failures.Add($"{prefix}:MinComputeUnits and {prefix}:MaxComputeUnits go together: set both (equal for a fixed size) or neither.");
        }
        else if (computeOk && plan.MinComputeUnits is { } min && plan.MaxComputeUnits is { } max)
        {
            if (min > max)
            {
                failures.Add($"{prefix}:MinComputeUnits ({Format(min)}) must not exceed {prefix}:MaxComputeUnits ({Format(max)}).");
            }
            else if (min < max && max > MaxAutoscalingComputeUnits)
            {
                failures.Add($"{prefix}:MaxComputeUnits ({Format(max)}) is above {Format(MaxAutoscalingComputeUnits)}: Neon autoscales up to {Format(MaxAutoscalingComputeUnits)} CU; larger computes have a fixed size (set MinComputeUnits = MaxComputeUnits).");
            }
            else if (max - min > MaxAutoscalingRange)
            {
                failures.Add($"{prefix}:MaxComputeUnits ({Format(max)}) minus {prefix}:MinComputeUnits ({Format(min)}) exceeds {Format(MaxAutoscalingRange)}: Neon's autoscaling range spans at most {Format(MaxAutoscalingRange)} CU.");
            }
        }

        if (plan.SuspendTimeout is { } suspend && suspend != Timeout.InfiniteTimeSpan
            && (suspend < MinSuspendTimeout || suspend > MaxSuspendTimeout || suspend.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            failures.Add($"{prefix}:SuspendTimeout ({suspend}) must be whole seconds from 60 seconds to 7 days, or {Timeout.InfiniteTimeSpan} (never suspend).");
        }

        if (plan.HistoryRetention is { } retention
            && (retention < TimeSpan.Zero || retention > MaxHistoryRetention || retention.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            failures.Add($"{prefix}:HistoryRetention ({retention}) must be whole seconds from 0 to 30 days.");
        }

        if (plan.MaxPoolSize is { } pool && pool is < 1 or > MaxPoolSizeLimit)
        {
            failures.Add($"{prefix}:MaxPoolSize ({pool}) must be from 1 to {MaxPoolSizeLimit}.");
        }

        if (plan.MaxCheckpoints is { } checkpoints && checkpoints is < 1 or > MaxCheckpointsLimit)
        {
            failures.Add($"{prefix}:MaxCheckpoints ({checkpoints}) must be from 1 to {MaxCheckpointsLimit}.");
        }

        if (plan.CheckpointRetention is { } kept && kept <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}:CheckpointRetention ({kept}) must be greater than 0; leave it out to keep checkpoints until deleted.");
        }

        if (plan.UseNeonBackupSchedule && CheckpointRetention.Of(plan).NeonFrequency is null)
        {
            failures.Add($"{prefix}:UseNeonBackupSchedule needs {prefix}:CheckpointInterval of 01:00:00, 1.00:00:00 or 7.00:00:00 (Neon's hourly, daily and weekly backup schedules).");
        }

        if (plan.UseNeonBackupSchedule && plan.CheckpointRetention is { } neonKept && neonKept < MinCheckpointInterval)
        {
            failures.Add($"{prefix}:CheckpointRetention ({neonKept}) must be at least {MinCheckpointInterval} with UseNeonBackupSchedule (Neon keeps scheduled snapshots an hour at least).");
        }

        if (plan.CheckpointInterval is { } interval && interval < MinCheckpointInterval)
        {
            failures.Add($"{prefix}:CheckpointInterval ({interval}) must be at least {MinCheckpointInterval} (Neon's backup schedules are hourly at most); leave it out for no scheduled checkpoints.");
        }
    }

    private static void Quota(string prefix, string setting, double? value, double max, Func<double, long> convert, string unit, List<string> failures)
    {
        if (value is not { } v)
        {
            return;
        }

        if (!double.IsFinite(v) || v <= 0)
        {
            failures.Add($"{prefix}:{setting} ({Format(v)}) must be greater than 0: a quota of 0 means unlimited in Neon; leave the setting out for no limit.");
        }
        else if (v > max)
        {
            failures.Add($"{prefix}:{setting} ({Format(v)}) must be at most {Format(max)}.");
        }
        else if (convert(v) < 1)
        {
            failures.Add($"{prefix}:{setting} ({Format(v)}) is less than one {unit}, which Neon would store as 0 (unlimited).");
        }
    }

    private static bool ComputeSize(string prefix, string setting, double? value, List<string> failures)
    {
        if (value is { } cu && !IsComputeSize(cu))
        {
            failures.Add($"{prefix}:{setting} ({Format(cu)}) is not a compute size Neon accepts: 0.25, 0.5 or a whole number from 1 to {Format(MaxFixedComputeUnits)}.");
            return false;
        }

        return true;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
